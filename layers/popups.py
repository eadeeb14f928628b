"""HTML for a carrier's popup and tooltip, in Chinese or English, every value escaped."""
from __future__ import annotations

from layers.catalogue import AREA_FIELDS, RENT_FIELD, get_layer, source_field
from layers.escape import escape_html
from layers.vocab import VOCABULARIES, split_codes
from messages import pick, t

ID_MARK = "#id:{}#"
"""Hidden marker in every tooltip so a clicked feature can be identified (see views)."""


def label(key: str, lang: str) -> str:
    """An interface label of the popup in ``lang`` (a field name, ``unknown``, ``part_of``…)."""
    return t(f"pop_{key}", lang)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value == ""


def code_labels(value, vocabulary: str, lang: str) -> str:
    """The labels of a ``;``-separated code list, joined for display."""
    vocab = VOCABULARIES[vocabulary]
    return t("list_sep", lang).join(vocab[c].label(lang) if c in vocab else c for c in split_codes(value))


def figure_text(value, unit: str, lang: str) -> str:
    """A stated figure for display; unknown says so (never 0)."""
    if _is_blank(value):
        return label("unknown", lang)
    return f"{float(value):,.0f} {unit}" if float(value) == int(float(value)) else f"{float(value):,.1f} {unit}"


def detail_rows(row: dict, lang: str) -> list[tuple[str, str, str | None]]:
    """(label, value, source) triples describing a carrier, unescaped, in display order."""
    rows: list[tuple[str, str, str | None]] = [
        (label("layer", lang), get_layer(row["layer"]).title(lang), None),
        (label("address_zh", lang), row.get("address_zh") or label("unknown", lang), None),
    ]
    for field in (*AREA_FIELDS, RENT_FIELD):
        unit = t("unit_rent", lang) if field == RENT_FIELD else "m²"
        source = row.get(source_field(field))
        rows.append((label(field, lang), figure_text(row.get(field), unit, lang), None if _is_blank(source) else source))
    for field in ("industries", "facilities", "policies"):
        text = code_labels(row.get(field), field, lang)
        rows.append((label(field, lang), text or label("unknown", lang), None))
    status = row.get("status")
    status_text = VOCABULARIES["status"][status].label(lang) if status in VOCABULARIES["status"] else status
    rows.append((label("status", lang), status_text or label("unknown", lang), row.get("status_source") or None))
    for field in ("operator", "opened"):
        if not _is_blank(row.get(field)):
            rows.append((label(field, lang), str(row[field]), None))
    if not _is_blank(row.get("parent_id")):
        rows.append((label("part_of", lang), str(row["parent_id"]), None))
    if row.get("location_basis") == "unknown":
        accuracy = label("location_unknown", lang)
    else:
        accuracy = f"± {float(row['accuracy_m']):,.0f} m" if not _is_blank(row.get("accuracy_m")) else label("unknown", lang)
    basis = VOCABULARIES["location_basis"].get(row.get("location_basis"))
    if basis is not None and row.get("location_basis") != "unknown":
        accuracy += f" ({basis.label(lang)})"
    rows.append((label("accuracy_m", lang), accuracy, row.get("location_note") or None))
    rows.append((label("source", lang), str(row.get("source") or ""), None))
    return rows


def carrier_title(row: dict, lang: str) -> tuple[str, str]:
    """(primary, secondary) names: Chinese first in zh, English first in en."""
    zh, en = row.get("name_zh") or "", row.get("name_en") or ""
    return pick((zh, en), (en or zh, zh), lang)


def popup_html(row: dict, lang: str, *, full: bool = True) -> str:
    """Escaped popup HTML for one carrier.

    ``full`` lists every field with its source; the compact form (for very large layers)
    gives names, layer and the main areas.
    """
    first, second = carrier_title(row, lang)
    parts = [f'<div class="carrier-popup"><b>{escape_html(first)}</b><br><i>{escape_html(second)}</i>',
             '<table style="font-size:12px;margin-top:4px">']
    rows = detail_rows(row, lang)
    if not full:
        keep = {label("layer", lang), label("floor_area_m2", lang), label("available_area_m2", lang)}
        rows = [r for r in rows if r[0] in keep]
    for name, value, source in rows:
        cite = f'<br><span style="color:#777">{escape_html(source)}</span>' if source and full else ""
        parts.append(f"<tr><th style='text-align:left;padding-right:6px;vertical-align:top'>{escape_html(name)}</th>"
                     f"<td>{escape_html(value)}{cite}</td></tr>")
    parts.append("</table></div>")
    return "".join(parts)


def tooltip_html(row: dict, lang: str) -> str:
    """Escaped tooltip: the name, plus a hidden id marker used to identify clicks."""
    first, _ = carrier_title(row, lang)
    marker = escape_html(ID_MARK.format(row["id"]))
    return f"{escape_html(first)}<i hidden>{marker}</i>"
