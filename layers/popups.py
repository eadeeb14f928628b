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
    rows += supply_rows(row, lang, prov)
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


# ---- units: what a carrier's units offer (popup, detail panel) and one unit in words (Match page) ------

def basis_text(basis, lang: str) -> str:
    """A unit area basis in words ("gross floor area", "usable area"; unknown says so)."""
    term = VOCABULARIES["unit_area_basis"].get(basis)
    if term is None:
        return label("unknown", lang)
    text = term.label(lang)
    return text[:1].lower() + text[1:] if lang == "en" else text


def supply_rows(row: dict, lang: str, prov: Provenance = NO_PROVENANCE) -> list[tuple[str, str, str | None]]:
    """(label, value, basis) rows of what a carrier offers now, when ``row`` carries its supply (the
    columns of :func:`spatial.supply.unit_supply` and ``units_let``; none otherwise): the available
    area now with its basis in words (its units', or as stated, or unknown), its units available and
    let, the occupancy when known, and how many of its units are stale. The units' sum is never added
    to the stated figure: that keeps its own row."""
    if "available_basis" not in row:
        return []
    basis, units = row.get("available_basis"), 0 if _is_blank(row.get("units")) else int(row["units"])
    n = 0 if _is_blank(row.get("units_available")) else int(row["units_available"])
    if basis == "units" and row.get("available_units_basis") == "mixed":
        parts = [t("un_area_basis", lang, area=f"{float(row[f'available_{b}_m2']):,.0f}", basis=basis_text(b, lang))
                 for b in ("gross", "usable") if not _is_blank(row.get(f"available_{b}_m2"))]
        now = (t("list_sep", lang).join(parts) or label("unknown", lang), t("un_from_units_mixed", lang, n=n))
    elif basis == "units" and not n:  # a known zero
        now = ("0 m²", t("un_from_no_units", lang))
    elif basis == "units":
        now = (label("unknown", lang) if _is_blank(row.get("available_now_m2")) else
               f"{float(row['available_now_m2']):,.0f} m²",
               t("un_from_units", lang, n=n, basis=basis_text(row.get("available_units_basis"), lang)))
    elif basis == "stated":
        now = (stated_figure(row, "available_area_m2", lang, prov)[0], t("un_stated_basis", lang))
    else:
        now = (label("unknown", lang), t("un_unknown_basis", lang))
    out = [(t("un_available_now", lang), *now)]
    if units:
        let = 0 if _is_blank(row.get("units_let")) else int(row["units_let"])
        count = t("un_units_count", lang, available=n, let=let, total=units)
        if not _is_blank(row.get("stale_units")) and int(row["stale_units"]):
            count += " · " + t("un_stale_units", lang, n=int(row["stale_units"]))
        out.append((t("un_units", lang), count, None))
        if not _is_blank(row.get("occupancy")):
            out.append((t("un_occupancy", lang), t("un_occupancy_value", lang, pct=f"{float(row['occupancy']):.0%}"),
                        None))
    return out


def unit_place(unit: dict) -> str:
    """A unit's building, floor and label as one text ("A座 3F 301")."""
    return " ".join(str(unit[k]) for k in ("building", "floor", "unit_label") if not _is_blank(unit.get(k)))


def unit_area_text(unit: dict, lang: str) -> str:
    """A unit's area with its basis ("1,294 m² (gross floor area)"); unknown says so."""
    if _is_blank(unit.get("area_m2")):
        return label("unknown", lang)
    return t("un_area_basis", lang, area=f"{float(unit['area_m2']):,.0f}", basis=basis_text(unit.get("area_basis"), lang))


def unit_use_text(unit: dict, lang: str) -> str:
    """A unit's use in words (empty when not given)."""
    use = unit.get("use")
    return "" if _is_blank(use) else code_labels(use, "unit_use", lang)


def number_text(value) -> str:
    """A figure without its unit for a table cell (empty when unknown)."""
    return "" if _is_blank(value) else f"{float(value):,.0f}"


def day_text(value) -> str:
    """A date as YYYY-MM-DD (empty when unknown)."""
    return "" if _is_blank(value) else str(value)[:10]


def verified_text(unit: dict, lang: str) -> str:
    """When a unit was verified, flagged when that is more than 90 days ago (``unit["stale"]``)."""
    return (day_text(unit.get("verified_on")) + (" " + t("un_stale_mark", lang) if unit.get("stale") else "")).strip()


RESULT_HEADS = ("un_col_unit", "un_col_area", "un_col_use", "un_col_rent", "un_col_verified")
"""The headers (message keys) of :func:`result_cells`."""


def result_cells(result: dict, lang: str, stated_area=None, stated_rent=None) -> list[str]:
    """A unit-level match result's cells under :data:`RESULT_HEADS`: the unit's place, area with its
    basis, use, asking rent and verification (⚠ when stale, said in words among the result's flags); a
    carrier listing no unit says so, with its stated available area and rent marked as stated."""
    if result.get("unit_id"):
        return [unit_place(result), unit_area_text(result, lang), unit_use_text(result, lang),
                number_text(result.get("rent_asked_cny_m2_month")), day_text(result.get("verified_on"))
                + (" ⚠" if result.get("stale") else "")]

    def stated(text: str, value) -> str:
        return text if _is_blank(value) else f"{text} ({t('un_as_stated', lang)})"
    return [t("un_no_unit", lang), stated(figure_text(stated_area, "m²", lang), stated_area), "",
            stated(number_text(stated_rent), stated_rent), ""]


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
        parts.append(f"<tr><th style='text-align:left;padding-right:6px;vertical-align:top;white-space:nowrap'>{escape_html(name)}</th>"
                     f"<td>{escape_html(value)}{cite}</td></tr>")
    parts.append("</table></div>")
    return "".join(parts)


def tooltip_html(row: dict, lang: str) -> str:
    """Escaped tooltip: the name, plus a hidden id marker used to identify clicks."""
    first, _ = carrier_title(row, lang)
    marker = escape_html(ID_MARK.format(row["id"]))
    return f"{escape_html(first)}<i hidden>{marker}</i>"
