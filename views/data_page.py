"""Data page for logged-in staff: validation problems and the audit log; for editors also
import with preview, field corrections with a reason, and undo. Not in the navigation for
anonymous visitors; opened without the role it says so and shows nothing else."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geodata.reports.export import table_csv
from layers.catalogue import CARRIER_FIELDS, CARRIER_LAYERS, get_layer
from spatial.errors import ConflictError, SpaceMapError
from messages import name_column, problem_text, t
from views import data, session
from views.chrome import current_lang
from views.overview import problems_table, visible
from views.tables import caption_html, frame_table, md, md_escape

UPLOAD_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip"]
EDITABLE = [f.name for f in CARRIER_FIELDS if f.name not in ("id", "layer")]
AUDIT_COLUMNS = ("id", "at", "who", "action", "layer", "file_name", "sha256", "accepted", "rejected", "added",
                 "updated", "reason", "undone_by")
AUDIT_ACTIONS = ("import", "edit", "undo", "place", "goal", "pool-add", "pool-delete", "pool-import", "user-add",
                 "user-disable", "user-enable", "user-role", "user-password")


def _error(exc: Exception, lang: str) -> None:
    """Show a refused action's message in ``lang``."""
    st.error(md_escape(problem_text(str(exc), lang)))  # messages quote values from files and forms


def changes_table(updated: dict[str, list[dict]], lang: str) -> pd.DataFrame:
    """The field changes an import would make to existing carriers, headers in ``lang``."""
    return pd.DataFrame([{t("dc_id", lang): fid, t("dc_field", lang): c["field"], t("dc_old", lang): c["old"],
                          t("dc_new", lang): c["new"]} for fid, cs in updated.items() for c in cs])


def rejected_table(rejected: list[dict], lang: str) -> pd.DataFrame:
    """The rejected rows (``Rejected.as_dict``) with headers and reasons in ``lang``. Where a reason
    was translated, the importer's own words follow in a column of their own: the downloadable
    rejected-rows file (and the CLI) give those."""
    table = pd.DataFrame({t("dr_row", lang): [r["row"] for r in rejected],
                          t("dr_field", lang): [r["field"] for r in rejected],
                          t("dr_value", lang): [r["value"] for r in rejected],
                          t("dr_reason", lang): [problem_text(r["reason"], lang) for r in rejected]})
    originals = [r["reason"] for r in rejected]
    if originals != table[t("dr_reason", lang)].tolist():
        table[t("dr_reason_original", lang)] = originals
    return table


def audit_table(entries: list[dict], lang: str) -> pd.DataFrame:
    """The audit log, newest first, with headers and actions in ``lang``."""
    def cell(key, value):
        if key in ("accepted", "rejected", "added", "updated"):  # whole numbers, never "1.0"; none: blank
            return "" if value is None else str(int(value))
        return t(f"action_{value}", lang) if key == "action" and value in AUDIT_ACTIONS else value

    return pd.DataFrame([{(t(f"au_{k}", lang) if k in AUDIT_COLUMNS else k): cell(k, v) for k, v in e.items()}
                         for e in entries[::-1]])


def _plan_summary(plan, lang: str) -> None:
    s = plan.summary()
    st.markdown(md("d_preview", lang, file=plan.file_name, rows=s["rows"], accepted=s["accepted"],
                  added=len(plan.added), updated=len(plan.updated), unchanged=len(plan.unchanged),
                  rejected=len({r.row for r in plan.rejected})))
    if plan.layer == "enterprise_years":
        counts = s.get("placements") or {}
        st.markdown(md("d_years_preview", lang, created=len(s.get("enterprises_created") or []),
                       placed=counts.get("placed", 0), review=counts.get("review", 0),
                       unplaced=counts.get("unplaced", 0)))
    for note in plan.notes:
        st.html(caption_html(problem_text(note, lang)))  # notes may quote the file: never Markdown
    if plan.updated:
        st.markdown(f"**{t('d_changes', lang)}**")
        st.html(frame_table(changes_table(plan.updated, lang), max_height=300))
    if plan.rejected:
        st.markdown(f"**{t('d_rejected', lang)}**")
        st.html(frame_table(rejected_table(s["rejected"], lang), max_height=300))
        st.download_button(t("d_rejected_csv", lang), table_csv(plan.rejected_table()),
                           f"rejected-{Path(plan.file_name).stem}.csv", "text/csv", key="d_rejected_dl")


def _import(lang: str, editor: str) -> None:
    st.subheader(t("d_import", lang))
    upload = st.file_uploader(t("d_file", lang), type=UPLOAD_TYPES, key="d_upload")
    st.caption(t("d_import_keeps", lang))
    c1, c2 = st.columns(2)
    layer = c1.selectbox(t("f_layers", lang), [*CARRIER_LAYERS, "enterprise_years"],
                         format_func=lambda k: get_layer(k).title(lang), key="d_layer")
    if layer == "enterprise_years":
        st.caption(t("d_years_help", lang))
    crs = c2.selectbox(t("d_crs", lang), data.crs_choices(), key="d_crs")
    if upload is not None and st.button(t("d_check", lang), key="d_check"):
        try:
            st.session_state["d_plan"] = data.plan_upload(upload.name, upload.getvalue(), layer, crs=crs, by=editor)
        except SpaceMapError as exc:
            st.session_state.pop("d_plan", None)
            _error(exc, lang)
    plan = st.session_state.get("d_plan")
    if plan is None:
        return
    _plan_summary(plan, lang)
    if len(plan.accepted) and st.button(t("d_commit", lang, n=len(plan.accepted)), key="d_commit", type="primary"):
        try:
            result = data.commit_import(plan, who=editor)
        except ConflictError as exc:
            st.session_state.pop("d_plan", None)  # the preview is stale: make a new one
            ids = ", ".join(c["id"] for c in exc.conflicts[:5])
            st.error(md("d_conflict_import", lang, n=len(exc.conflicts), ids=ids))
        except SpaceMapError as exc:
            _error(exc, lang)
        else:
            st.session_state.pop("d_plan", None)
            st.session_state["d_done"] = t("d_committed", lang, added=result["added"], updated=result["updated"])
            st.rerun()


def _correct(lang: str, editor: str) -> None:
    st.subheader(t("d_correct", lang))
    carriers = data.carriers()
    names = dict(zip(carriers["id"], carriers[name_column(lang)]))
    c1, c2 = st.columns(2)
    fid = c1.selectbox(t("m_reverse_pick", lang), list(names), format_func=lambda i: f"{names[i]} ({i})",
                       key="d_fix_id")
    titles = {f.name: f"{f.title(lang)} ({f.name})" for f in CARRIER_FIELDS}
    field = c2.selectbox(t("d_field", lang), EDITABLE, format_func=titles.get, key="d_fix_field")
    row = carriers.loc[carriers["id"] == fid].iloc[0]
    seen = st.session_state.setdefault("d_seen_versions", {})  # the version the editor looked at
    seen.setdefault(fid, int(row.get("row_version", 1)))
    current = row.get(field)
    shown = t("unknown", lang) if current is None or current != current else str(current)
    st.caption(md("d_current", lang, value=shown, version=seen[fid]))
    with st.form("d_correct_form"):
        value = st.text_input(t("d_value", lang), key="d_fix_value")
        source = st.text_input(t("d_value_source", lang), key="d_fix_source")
        reason = st.text_input(t("d_reason", lang), key="d_fix_reason")
        if st.form_submit_button(t("d_save", lang)):
            values = {field: value}
            if source.strip() and field.endswith(("_m2", "_month")):
                values["rent_source" if field == "rent_cny_m2_month" else field.removesuffix("_m2") + "_source"] = source
            try:
                data.edit_fields(fid, values, reason=reason, who=editor, expected_version=seen[fid])
            except ConflictError as exc:
                seen.pop(fid, None)  # show the current values, then the editor decides again
                st.error(t("d_conflict_edit", lang, current=exc.conflicts[0]["current"],
                           seen=exc.conflicts[0]["expected"]))
            except SpaceMapError as exc:
                _error(exc, lang)
            else:
                seen.pop(fid, None)
                st.session_state["d_done"] = t("d_corrected", lang)
                st.rerun()


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_data", lang))
    if not session.allowed("staff"):
        st.info(t("staff_only", lang))
        return
    st.caption(t("d_intro", lang))
    if data.keeps_backups():
        st.caption(t("d_backup_file", lang))
    else:
        st.caption(t("d_backup_db", lang, where=data.store_location()))
    done = st.session_state.pop("d_done", None)
    if done:
        st.success(done)
    _, problems = visible(*data.overview(), staff=True)  # never an account's row
    st.subheader(t("problems_title", lang))
    if problems:
        st.html(frame_table(problems_table(problems, lang), max_height=300))
    else:
        st.caption(t("d_no_problems", lang))
    if not session.allowed("editor"):
        st.info(t("d_editors_only", lang))
    else:
        editor = session.who()
        _import(lang, editor)
        _correct(lang, editor)
        if st.button(t("d_undo", lang), key="d_undo"):
            try:
                result = data.undo_last(who=editor)
            except SpaceMapError as exc:
                _error(exc, lang)
            else:
                st.session_state["d_done"] = t("d_undone", lang, entry=result["undone"])
                st.rerun()
    st.subheader(t("d_audit", lang))
    entries = data.audit_entries()
    if entries:
        st.html(frame_table(audit_table(entries, lang), max_height=400))
    else:
        st.caption(t("d_no_audit", lang))


if __name__ == "__main__":  # run as a page by st.navigation
    render()
