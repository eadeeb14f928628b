"""The match report an enterprise takes to a meeting (HTML for :func:`layers.pdf.to_pdf`): the need in
words, each shortlisted carrier (or unit) with its address and its figures — qualifiers, sources and
dates as the map's detail panel gives them (:func:`layers.popups.detail_rows`) — a static map with the
rank markers, and how to enquire. Every value is escaped."""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd

from layers.catalogue import get_layer
from layers.escape import escape_html
from layers.match_map import runs
from layers.pdf import html_document, html_table, svg_data_img
from layers.popups import NO_PROVENANCE, RESULT_HEADS, Provenance, detail_rows, result_cells, unit_place
from layers.static_map import rank_map
from layers.vocab import FACILITIES, INDUSTRIES
from messages import name_column, t
from spatial.need import STAGES, Need
from spatial.pipeline import REPLY_DAYS


def need_lines(need: Need, lang: str, zones: dict[str, str]) -> list[str]:
    """The need in words, one line per criterion it sets ("Industry: biomedicine", never a raw key)."""
    sep = t("list_sep", lang)
    values = {
        "industry": INDUSTRIES[need.industry].label(lang) if need.industry in INDUSTRIES else need.industry,
        "stage": t(f"stage_{need.stage}", lang) if need.stage in STAGES else need.stage,
        "area_min": None if need.area_min is None else f"{need.area_min:,.0f}",
        "area_max": None if need.area_max is None else f"{need.area_max:,.0f}",
        "max_rent": None if need.max_rent is None else f"{need.max_rent:,.0f}",
        "near_label": need.near_label,
        "within_km": None if need.within_km is None else f"{need.within_km:g}",
        "zones": sep.join(zones.get(z, z) for z in need.zones),
        "facilities": sep.join(FACILITIES[c].label(lang) if c in FACILITIES else c for c in need.facilities),
        "hk_link": t("yes", lang) if need.hk_link else None,
        "policy_support": t("yes", lang) if need.policy_support else None,
    }
    return [t("need_line", lang, label=t(f"need_{k}", lang), value=v) for k, v in values.items() if v]


def _e(text) -> str:
    return escape_html(text)


def _row_name(r: dict, lang: str) -> str:
    place = unit_place(r) if r.get("unit_id") else ""
    return f"{r[name_column(lang)]}" + (f" · {place}" if place else "")


def result_html(r: dict, carrier: dict | None, lang: str, prov: Provenance, near_label: str) -> str:
    """One shortlisted carrier or unit: rank, name, kind and fit; distance; address and every figure with
    its qualifier and source (the detail panel's rows); the unit's own figures; the flags."""
    head = (f'<h3>{_e(t("rp_match_rank", lang, rank=r["rank"]))} · {_e(_row_name(r, lang))}</h3>'
            f'<div class="meta">{_e(get_layer(r["layer"]).title(lang))} · '
            f'{_e(t("rp_match_score", lang, score=format(r["score"], ".1f")))}')
    if r.get("distance_km") is not None:
        km = f"{r['distance_km']:g}"
        head += " · " + _e(t("rp_match_distance", lang, place=near_label, km=km) if near_label
                           else t("rp_match_distance_plain", lang, km=km))
    head += "</div>"
    rows = []
    if r.get("unit_id"):
        stated = [] if carrier is None else [carrier.get("available_area_m2"), carrier.get("rent_cny_m2_month")]
        rows += [[t(h, lang), v, ""] for h, v in zip(RESULT_HEADS, result_cells(r, lang, *stated))]
    if carrier is not None:
        rows += [[label, value, source or ""] for label, value, source in detail_rows(carrier, lang, prov)]
    table = html_table([t("rp_match_figure", lang), t("rp_match_value", lang), t("rp_match_source", lang)], rows,
                       css_class="figures")
    flags = "".join(f"<li>{_e(f)}</li>" for f in r.get("flags") or [])
    note = f'<div class="box"><b>{_e(t("rp_match_note", lang))}</b><ul>{flags}</ul></div>' if flags else ""
    return f'<section class="result">{head}{table}{note}</section>'


def places(rows: list[dict], carriers: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """One marker per located carrier of ``rows`` (``text``: its ranks, "1–3,5" by unit), and the names of
    the shortlisted carriers with no known site."""
    by_id = carriers.drop_duplicates("id").set_index("id")
    ranks = {c: [int(r["rank"]) for r in rows if r["id"] == c] for c in dict.fromkeys(r["id"] for r in rows)}
    located, missing = [], []
    for cid, mine in ranks.items():
        geom = by_id.geometry.get(cid)
        if geom is None or geom.is_empty:
            missing.append(cid)
        else:
            located.append({"id": cid, "text": runs(sorted(mine)), "geometry": geom.representative_point()})
    frame = gpd.GeoDataFrame(located or None, columns=["id", "text", "geometry"], geometry="geometry",
                             crs=carriers.crs or "EPSG:4326")
    return frame, missing


def map_html(rows: list[dict], carriers: gpd.GeoDataFrame, need: Need, lang: str,
             outlines: dict[str, gpd.GeoDataFrame]) -> str:
    """The static map of the shortlist (rank markers, the place asked for), or why there is none."""
    frame, missing = places(rows, carriers)
    names = dict(zip(carriers["id"], carriers[name_column(lang)]))
    note = ("<p class=\"muted\">" + _e(t("rp_match_unplaced", lang, names=t("list_sep", lang).join(
        str(names.get(c, c)) for c in missing))) + "</p>") if missing else ""
    if not len(frame):
        return f'<p class="muted">{_e(t("rp_match_located_none", lang))}</p>'
    near = None if need.near is None else (need.near[0], need.near[1], need.near_label, need.within_km)
    title = t("rp_match_map", lang)
    svg = rank_map(frame, lang=lang, title=title, outlines=outlines, near=near)
    return (f'<figure class="keep">{svg_data_img(svg, alt=title)}<figcaption>{_e(t("rp_map_offline", lang))}'
            f'</figcaption></figure>{note}')


def match_report_html(need: Need, rows: list[dict], carriers: gpd.GeoDataFrame, *, lang: str, candidates: int,
                      zones: dict[str, str], outlines: dict[str, gpd.GeoDataFrame],
                      prov: Provenance = NO_PROVENANCE, today: date | None = None, notes: list[str] = ()) -> str:
    """The match report as one HTML document.

    ``rows`` are the ranked results (:func:`spatial.match_explain.results_table` or, by unit,
    :func:`spatial.unit_match.unit_results_table`, in ``lang``); ``carriers`` the carriers they come from
    (WGS-84, with every stated figure and its source); ``candidates`` how many were matched; ``zones``
    zone id → name for the need; ``outlines`` zone layers drawn on the map (the district); ``notes`` the
    reasons candidates were left out, with their counts."""
    today = today or prov.today or date.today()
    title = t("rp_match_title", lang)
    by_id = {str(r["id"]): r for r in pd.DataFrame(carriers.drop(columns=carriers.geometry.name)).to_dict("records")}
    lines = need_lines(need, lang, zones) or [t("rp_match_need_none", lang)]
    out = [f"<h1>{_e(title)}</h1>",
           f'<div class="meta">{_e(t("app_title", lang))} · {_e(t("rp_printed", lang, date=today.isoformat()))}</div>',
           f"<h2>{_e(t('rp_match_need', lang))}</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>",
           f"<p>{_e(t('rp_match_count', lang, n=len(rows), total=candidates))}</p>" if rows
           else f"<p>{_e(t('rp_match_none', lang))}</p>"]
    out += [f'<p class="muted">{_e(n)}</p>' for n in notes]
    if rows:
        out.append(f"<h2>{_e(t('rp_match_map', lang))}</h2>" + map_html(rows, carriers, need, lang, outlines))
    out += [result_html(r, by_id.get(str(r["id"])), lang, prov, need.near_label) for r in rows]
    out += [f'<p class="muted">{_e(t("rp_match_figures_note", lang))}</p>',
            f"<h2>{_e(t('rp_match_enquire', lang))}</h2><p>{_e(t('rp_match_enquire_steps', lang, days=REPLY_DAYS))}</p>"]
    header = f"{t('app_title', lang)} · {title} · {today.isoformat()}"
    return html_document("".join(out), lang=lang, title=title, header=header)
