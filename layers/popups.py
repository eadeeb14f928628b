"""HTML for a carrier's popup and tooltip, in Chinese or English, every value escaped."""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from layers.catalogue import AREA_FIELDS, CODE_FIELDS, RENT_FIELD, as_of_field, get_layer, qualifier_field, source_field
from layers.escape import escape_html
from layers.vocab import VOCABULARIES, split_codes
from messages import pick, t
from spatial.provenance import is_external, is_stale, qualifier_prefix, readable_source, source_date
from spatial.zone_placement import ZONE_LAYERS


class Provenance(NamedTuple):
    """What turns source columns into readable citations: the registry (a seed's file name → its
    ``sources`` row) and the day "now" is (for flagging figures older than two years)."""

    registry: dict
    today: date | None = None
    zones: dict | None = None
    """Zone id → (name_zh, name_en), for carriers placed by zone."""


NO_PROVENANCE = Provenance({})


def provenance(frames: dict, today: date | None = None) -> Provenance:
    """The :class:`Provenance` of a store's layers (its ``sources`` table)."""
    zones = {str(i): (zh, en) for key in ZONE_LAYERS if key in frames and len(frames[key])
             for i, zh, en in zip(frames[key]["id"], frames[key]["name_zh"], frames[key]["name_en"])}
    table = frames.get("sources")
    if table is None or not len(table):
        return Provenance({}, today, zones)
    registry = {str(r["file"]): r for r in table.to_dict("records") if not _is_blank(r.get("file"))}
    return Provenance(registry, today, zones)

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


def cite(source, lang: str, prov: Provenance = NO_PROVENANCE) -> str | None:
    """A source column as a person reads it (None when blank)."""
    return None if _is_blank(source) else readable_source(source, prov.registry, lang)


def stated_figure(row: dict, field: str, lang: str, prov: Provenance = NO_PROVENANCE) -> tuple[str, str | None]:
    """(value, source) of a stated figure for display: the qualifier before the number ("约 13,000 m²",
    "≥ 40,000 m²"), an external figure badged, the source readable with its as-of date (the source's
    date when the row gives none) and flagged when older than two years."""
    unit = t("unit_rent", lang) if field == RENT_FIELD else "m²"
    value = figure_text(row.get(field), unit, lang)
    source = row.get(source_field(field))
    if _is_blank(row.get(field)) or field == RENT_FIELD:
        return value, cite(source, lang, prov)
    value = qualifier_prefix(row.get(qualifier_field(field)), lang) + value
    if is_external(source):
        value += " " + t("badge_external", lang)
    as_of = row.get(as_of_field(field))
    as_of = None if _is_blank(as_of) else str(as_of)[:10]
    as_of = as_of or source_date(source, prov.registry)
    text = cite(source, lang, prov) or ""
    if as_of:
        text = t("as_of_cite", lang, source=text, as_of=as_of) if text else t("as_of", lang, as_of=as_of)
        if prov.today is not None and is_stale(as_of, prov.today):
            text += " " + t("stale_figure", lang)
    return value, text or None


def detail_rows(row: dict, lang: str, prov: Provenance = NO_PROVENANCE) -> list[tuple[str, str, str | None]]:
    """(label, value, source) triples describing a carrier, unescaped, in display order. Stated
    figures come with their qualifier and readable source; the measures no source states are
    listed together in one row ("not stated"), never as 0."""
    rows: list[tuple[str, str, str | None]] = [
        (label("layer", lang), get_layer(row["layer"]).title(lang), None),
        (label("address_zh", lang), row.get("address_zh") or label("unknown", lang), None),
    ]
    unstated = []
    for field in (*AREA_FIELDS, RENT_FIELD):
        if _is_blank(row.get(field)):
            unstated.append(label(field, lang))
            continue
        rows.append((label(field, lang), *stated_figure(row, field, lang, prov)))
    if unstated:
        rows.append((label("not_stated", lang), t("list_sep", lang).join(unstated), None))
    for field in CODE_FIELDS:
        text = code_labels(row.get(field), field, lang)
        rows.append((label(field, lang), text or label("unknown", lang), cite(row.get(f"{field}_source"), lang, prov)))
    planned = code_labels(row.get("planned_facilities"), "facilities", lang)
    if planned:
        rows.append((label("planned_facilities", lang), planned, cite(row.get("facilities_source"), lang, prov)))
    if not _is_blank(row.get("tenants")):
        rows.append((label("tenants", lang), str(row["tenants"]), cite(row.get("tenants_source"), lang, prov)))
    status = row.get("status")
    status_text = VOCABULARIES["status"][status].label(lang) if status in VOCABULARIES["status"] else status
    rows.append((label("status", lang), status_text or label("unknown", lang), cite(row.get("status_source"), lang, prov)))
    for field in ("operator", "opened"):
        if not _is_blank(row.get(field)):
            rows.append((label(field, lang), str(row[field]), None))
    if not _is_blank(row.get("parent_id")):
        rows.append((label("part_of", lang), str(row["parent_id"]), None))
    if row.get("location_basis") == "zone":
        names = [pick(*(prov.zones or {}).get(z, (z, z)), lang) for z in split_codes(row.get("zone_id"))]
        accuracy = t("pop_placed_in", lang, zones=t("list_sep", lang).join(names) or label("unknown", lang))
    elif row.get("location_basis") == "unknown":
        accuracy = label("location_unknown", lang)
    else:
        accuracy = f"± {float(row['accuracy_m']):,.0f} m" if not _is_blank(row.get("accuracy_m")) else label("unknown", lang)
    basis = VOCABULARIES["location_basis"].get(row.get("location_basis"))
    if basis is not None and row.get("location_basis") not in ("unknown", "zone"):
        accuracy += f" ({basis.label(lang)})"
    rows.append((label("accuracy_m", lang), accuracy, row.get("location_note") or None))
    rows.append((label("source", lang), cite(row.get("source"), lang, prov) or "", None))
    return rows


def carrier_title(row: dict, lang: str) -> tuple[str, str]:
    """(primary, secondary) names: Chinese first in zh, English first in en."""
    zh, en = row.get("name_zh") or "", row.get("name_en") or ""
    return pick((zh, en), (en or zh, zh), lang)


def popup_html(row: dict, lang: str, *, full: bool = True, prov: Provenance = NO_PROVENANCE) -> str:
    """Escaped popup HTML for one carrier.

    ``full`` lists every field with its source; the compact form (for very large layers)
    gives names, layer and the main areas.
    """
    first, second = carrier_title(row, lang)
    parts = [f'<div class="carrier-popup"><b>{escape_html(first)}</b><br><i>{escape_html(second)}</i>',
             '<table style="font-size:12px;margin-top:4px">']
    rows = detail_rows(row, lang, prov)
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
