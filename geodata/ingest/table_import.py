"""Plan an import of the market's tables (space units, enterprises) from a CSV or XLSX file, with the
carrier import's contract (:func:`geodata.ingest.importer.plan_import`): headers mapped (Chinese or
English), each row accepted or rejected with row, field, value and reason, a stored id changing only
the fields the file carries, the changes shown before anything is written (the commit:
:func:`geodata.stewardship.commits.commit_import`). Who may change which carrier's units is the
caller's ``carrier_check``: the accounts are not this package's business.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from geodata.ingest.columns import map_headers, normalise_header, read_mapping
from geodata.ingest.importer import ImportPlan, file_sha256
from geodata.ingest.readers import FORMATS, ImportReadError, RawTable, read_table
from geodata.ingest.rowchecks import Verdicts
from geodata.ingest.schema import coerce_frame, is_blank
from geodata.ingest.validate import validate_layer
from layers.catalogue import CARRIER_LAYERS, get_layer
from layers.vocab import VOCABULARIES, resolve_industry
from spatial.credit_code import credit_code_problem, normalise_credit_code
from spatial.errors import SpaceMapError

__all__ = ["TABLE_IMPORT_LAYERS", "plan_table_import", "table_row_problems", "parse_qualifications", "normalised",
           "read_table_mapping"]

TABLE_IMPORT_LAYERS = ("units", "enterprises")
_SPELLINGS = {
    "units": "id: 单元编号|编号|unit id; carrier_id: 所属载体|载体编号|载体|carrier; building: 楼栋|栋|楼宇; "
             "floor: 楼层|层; unit_label: 单元|单元号|房号|房间号|unit|room; area_m2: 面积|租赁面积|可租面积|area; "
             "area_basis: 面积口径|口径; use: 用途; fit_out: 装修|装修情况|fit-out|fit out; "
             "rent_asked_cny_m2_month: 租金|报价租金|月租金|rent|asking rent; rent_includes: 租金包含; "
             "available_from: 可入驻日期|可租日期; floor_load_kn_m2: 楼面荷载|荷载|floor load; "
             "ceiling_height_m: 层高; status: 状态; source: 来源|数据来源; verified_on: 核实日期|核实时间|verified; "
             "notes: 备注|说明|remarks",
    "enterprises": "id: 企业编号|编号; name: 企业名称|名称|company; credit_code: 统一社会信用代码|信用代码|uscc; "
                   "industries: 产业|行业|所属行业|产业方向|industry; stage: 发展阶段|阶段; "
                   "headcount: 员工人数|人数|员工数|employees; founded: 成立日期|成立时间; qualifications: 资质|企业资质; "
                   "address: 注册地址|地址; contact_name: 联系人|contact; contact_phone: 联系电话|电话|手机|phone; "
                   "contact_email: 电子邮箱|邮箱|email; source: 来源|数据来源",
}
SYNONYMS = {layer: {f.strip(): tuple(text.split("|")) for f, _, text in (p.partition(": ") for p in spec.split("; "))}
            for layer, spec in _SPELLINGS.items()}
"""Field → header spellings per table, besides each field's name and zh/en titles (see ``normalise_header``)."""
NOT_IMPORTED = {"units": ("synthetic",), "enterprises": ("created_at", "erased_at", "synthetic")}
"""Fields the application sets, never a file: demo flags, creation and erasure times."""
IMPORTABLE = {k: [f for f in get_layer(k).field_names if f not in NOT_IMPORTED[k]] for k in TABLE_IMPORT_LAYERS}
NOT_POSITIVE, IN_FUTURE = "must be greater than 0", "is after today ({today})"
CARRIER_MISSING = "carrier does not exist in the store"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$")
_ID_SAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff._-]+")


def read_table_mapping(path: Path, layer: str) -> dict[str, str]:
    """A JSON mapping file ``{"file header": "field"}`` for table ``layer``; :class:`SpaceMapError` when
    it cannot be read or names a field the table does not import."""
    return read_mapping(path, IMPORTABLE[layer])


def _mapped_frame(raw: RawTable, layer: str, explicit: dict[str, str] | None, notes: list[str]) -> pd.DataFrame:
    """The file's columns renamed to the table's fields; the others dropped, and said so."""
    fields = IMPORTABLE[layer]
    spec = get_layer(layer)
    lookup = {normalise_header(s): f for f in fields for s in (f, spec.field(f).title_zh, spec.field(f).title_en) if s}
    lookup.update({normalise_header(s): f for f, spellings in SYNONYMS[layer].items() for s in spellings})
    headers = [str(h) for h in raw.frame.columns]
    ours = {h: (explicit or {}).get(h) or lookup.get(normalise_header(h)) for h in headers}
    mapping, unmapped = map_headers(headers, {h: f for h, f in ours.items() if f})
    mapping = {h: f for h, f in mapping.items() if f in fields}
    unmapped = [h for h in headers if h not in mapping]
    if not mapping:
        raise SpaceMapError(f"no column matches a field of {layer}: {headers}; fields: {', '.join(fields)}")
    if unmapped:
        notes.append(f"columns not imported (no matching field): {', '.join(unmapped)}")
    frame = raw.frame.rename(columns=mapping)
    return frame[list(mapping.values())].reset_index(drop=True)


def _resolve_code(value: str, vocabulary: str) -> str:
    """A vocabulary code for a code, or for its zh/en label or synonym (else the value as given)."""
    if vocabulary == "industries":
        return resolve_industry(value) or value
    key = value.strip().lower()
    for code, term in VOCABULARIES[vocabulary].items():
        if key in {n.strip().lower() for n in (code, term.zh, term.en, *term.synonyms)}:
            return code
    return value


def normalised(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Text stripped, dates without a midnight time (spreadsheet cells), codes from labels, credit codes normalised."""
    spec, out = get_layer(layer), frame.copy()
    for name in out.columns:
        field = spec.field(name)

        def clean(value, field=field):
            if is_blank(value):
                return None
            text = str(value).strip()
            if field.dtype == "date" and (m := _MIDNIGHT.match(text)):
                return m.group(1)
            if field.dtype == "code" and field.vocabulary:
                return _resolve_code(text, field.vocabulary)
            if field.dtype == "codes" and field.vocabulary:
                parts = re.split(r"[;；,，、]", text)
                return ";".join(_resolve_code(p.strip(), field.vocabulary) for p in parts if p.strip())
            if name == "credit_code":
                return normalise_credit_code(text)
            return text
        out[name] = out[name].map(clean).astype(object)
    return out


def parse_qualifications(text, *, evidence: str | None = None) -> tuple[str | None, str | None]:
    """``(JSON, None)`` for ``high_tech:2027-12-31;specialised`` (code[:expiry[:evidence]], codes of
    the ``qualification`` vocabulary, labels accepted; or a JSON list as stored), ``(None, why)``
    when it cannot be read; ``(None, None)`` for a blank cell."""
    if is_blank(text):
        return None, None
    text = str(text).strip()
    if text.startswith("["):
        try:
            items = [(str(q["code"]), q.get("expires"), q.get("evidence")) for q in json.loads(text)]
        except (ValueError, TypeError, KeyError) as exc:
            return None, f"not a qualification list: {exc}"
    else:
        items = []
        for part in (p.strip() for p in re.split(r"[;；]", text) if p.strip()):
            code, _, rest = part.partition(":")
            expires, _, given = rest.partition(":")
            items.append((code.strip(), expires.strip() or None, given.strip() or evidence))
    out = []
    for code, expires, given in items:
        code = _resolve_code(code, "qualification")
        if code not in VOCABULARIES["qualification"]:
            return None, f"unknown qualification {code!r}; known: {', '.join(VOCABULARIES['qualification'])}"
        if expires is not None:
            try:
                expires = date.fromisoformat(str(expires)).isoformat()
            except ValueError:
                return None, f"expiry of {code} is not a date YYYY-MM-DD: {expires!r}"
        out.append({"code": code, "evidence": given or None, "expires": expires})
    return json.dumps(out, ensure_ascii=False), None


def _unit_ids(frame: pd.DataFrame, stored: pd.DataFrame, row_numbers: list[int], notes: list[str]) -> list[str]:
    """Each row's unit id: as given, else the stored unit's of the same carrier, building, floor and
    unit, else the carrier's next ``unit-<carrier id>-<n>`` (stable: a file imported again updates)."""
    def triple(rec) -> tuple:
        return tuple("" if is_blank(rec.get(k)) else str(rec.get(k)).strip()
                     for k in ("carrier_id", "building", "floor", "unit_label"))

    known = {triple(r): str(r["id"]) for r in stored.to_dict("records")}
    taken = set(map(str, stored["id"])) | {str(v) for v in frame.get("id", pd.Series(dtype=object)) if not is_blank(v)}
    ids, made = [], 0
    for rec, row in zip(frame.to_dict("records"), row_numbers):
        if not is_blank(rec.get("id")):
            ids.append(str(rec["id"]))
        elif triple(rec) in known:
            ids.append(known[triple(rec)])
        elif is_blank(rec.get("carrier_id")):
            ids.append(f"unit-row-{row}")  # rejected below: no carrier
        else:
            carrier = _ID_SAFE.sub("-", str(rec["carrier_id"]))
            n = 1 + max([int(m.group(1)) for t in taken if (m := re.fullmatch(rf"unit-{re.escape(carrier)}-(\d+)", t))]
                        or [0])
            ids.append(f"unit-{carrier}-{n}")
            known[triple(rec)] = ids[-1]
            made += 1
        taken.add(ids[-1])
    if made:
        notes.append(f"{made} row(s) without an id got the next unit-<carrier id>-<n>")
    return ids


def _enterprise_ids(frame: pd.DataFrame, stored: pd.DataFrame, notes: list[str]) -> list[str]:
    """Each row's enterprise id: as given, else the stored enterprise's with the same credit code (or,
    without a code, the same name), else ``ent-<credit code>`` (without one, from the name)."""
    by_code = {str(c): str(i) for i, c in zip(stored["id"], stored["credit_code"]) if not is_blank(c)}
    by_name = {str(n).strip(): str(i) for i, n in zip(stored["id"], stored["name"]) if not is_blank(n)}
    ids, made = [], 0
    for rec in frame.to_dict("records"):
        code, name = rec.get("credit_code"), str(rec.get("name") or "").strip()
        made += is_blank(rec.get("id"))
        if not is_blank(rec.get("id")):
            ids.append(str(rec["id"]))
        elif not is_blank(code) and code in by_code:
            ids.append(by_code[code])
        elif not is_blank(code) and credit_code_problem(code) is None:
            ids.append(f"ent-{code}")
        elif name in by_name:
            ids.append(by_name[name])
        else:
            ids.append(f"ent-{hashlib.sha256(name.encode()).hexdigest()[:12]}")
    if made:
        notes.append(f"{made} row(s) without an id got ent-<credit code> (or the stored enterprise's id)")
    return ids


def _keep_stored(frame: pd.DataFrame, stored: pd.DataFrame, *, blank_clears: bool) -> pd.DataFrame:
    """Rows of stored ids made whole: a field the file lacks keeps its stored value, so does an empty cell
    unless ``blank_clears``."""
    old = stored.assign(id=stored["id"].astype(str)).drop_duplicates("id").set_index("id")
    out = frame.copy()
    for name in old.columns:
        if name not in out.columns:
            out[name] = None
        out[name] = out[name].astype(object)
    for i, fid in enumerate(out["id"]):
        if fid not in old.index:
            continue
        for name in old.columns:
            in_file = name in frame.columns
            if not in_file or (is_blank(out.at[i, name]) and not blank_clears):
                value = old.at[fid, name]
                out.at[i, name] = None if is_blank(value) else (value.item() if hasattr(value, "item") else value)
    return out


def _defaults(frame: pd.DataFrame, layer: str, stored_ids: set[str], file_name: str, now: str) -> pd.DataFrame:
    """New rows: the file as a unit's source, an enterprise's creation time, never the demo flag."""
    out, new = frame.copy(), ~frame["id"].isin(stored_ids)
    for name, value in (("synthetic", False), *((("source", f"import of {file_name}"),) if layer == "units" else
                                                (("created_at", now),))):
        if name not in out.columns:
            out[name] = None
        out[name] = out[name].astype(object)
        out.loc[new & out[name].map(is_blank), name] = value
    return out


def table_row_problems(typed: pd.DataFrame, layer: str, *, today: date, carrier_ids: set[str] | None = None,
                       stored_codes: dict[str, str] | None = None,
                       rows: list[int] | None = None) -> list[tuple[int, str, object, str]]:
    """``(position, field, value, reason)`` for each rule a typed row of ``layer`` breaks beyond the
    catalogue's: a unit's carrier not among ``carrier_ids`` (when given), an area not above 0, a date
    after ``today``; an enterprise's wrong credit code, or one on an earlier row or that ``stored_codes``
    (code → id) gives another enterprise, an e-mail or phone that is not one."""
    out, seen = [], {}
    for i, rec in enumerate(typed.to_dict("records")):
        def bad(name, reason, rec=rec, i=i):
            out.append((i, name, rec.get(name), reason))
        for name in ("verified_on", "founded"):
            value = rec.get(name)
            if not is_blank(value) and str(value) > today.isoformat()[:len(str(value))]:
                bad(name, IN_FUTURE.format(today=today.isoformat()))
        if layer == "units":
            if carrier_ids is not None and not is_blank(rec.get("carrier_id")) and rec["carrier_id"] not in carrier_ids:
                bad("carrier_id", CARRIER_MISSING)
            if not is_blank(rec.get("area_m2")) and rec["area_m2"] <= 0:
                bad("area_m2", NOT_POSITIVE)
            continue
        if not is_blank(code := rec.get("credit_code")):
            if why := credit_code_problem(code):
                bad("credit_code", f"not a valid unified social credit code: {why}")
            elif (stored_codes or {}).get(code, rec["id"]) != rec["id"]:
                bad("credit_code", f"this credit code belongs to enterprise {stored_codes[code]} in the store")
            elif code in seen:
                bad("credit_code", f"credit code also on row {seen[code]}")
            seen.setdefault(code, rows[i] if rows else i + 1)
        if not is_blank(rec.get("contact_email")) and not _EMAIL.match(str(rec["contact_email"])):
            bad("contact_email", "not an e-mail address")
        if not is_blank(rec.get("contact_phone")) and not _PHONE.match(str(rec["contact_phone"])):
            bad("contact_phone", "not a phone number (digits, spaces, +, -, brackets)")
    return out


def plan_table_import(path: Path, layer: str, frames: dict[str, pd.DataFrame], *, today: date,
                      mapping_file: Path | None = None, blank_clears: bool = False,
                      carrier_check: Callable[[str | None, str], str | None] | None = None,
                      now: str | None = None) -> ImportPlan:
    """Read and check ``path`` (CSV or XLSX) as rows of table ``layer`` (``units``: the carrier must
    exist, area above 0, ids ``unit-<carrier id>-<n>`` when missing; ``enterprises``: credit codes
    checked and unique, ids ``ent-<credit code>``, qualifications ``code[:expiry[:evidence]];…`` stored as
    JSON) against the store's ``frames`` (that table; for units the carrier layers too). No date
    may be after ``today``. ``carrier_check(stored carrier id or None, carrier id)`` says why a unit
    row may not be written by the importing account (None: it may). ``now``: new enterprises' creation time.
    :class:`ImportReadError` for a file that cannot be read or is not CSV/XLSX; :class:`SpaceMapError`
    for bad arguments or a file none of whose headers fit."""
    if layer not in TABLE_IMPORT_LAYERS:
        raise SpaceMapError(f"table import supports {', '.join(TABLE_IMPORT_LAYERS)} (got {layer!r})")
    if FORMATS.get((path := Path(path)).suffix.lower()) not in ("csv", "xlsx"):
        raise ImportReadError(f"{path.name}: {layer} are imported from a CSV or XLSX table")
    raw = read_table(path)
    notes = list(raw.notes) + ([f"text encoding {raw.encoding}"] if raw.encoding else [])
    explicit = read_table_mapping(mapping_file, layer) if mapping_file else None
    frame = normalised(_mapped_frame(raw, layer, explicit, notes), layer)
    verdicts = Verdicts([raw.first_data_row + i for i in range(len(frame))])
    stored = frames[layer].drop(columns=["row_version"], errors="ignore")
    if layer == "units":
        frame["id"] = _unit_ids(frame, stored, verdicts.row_numbers, notes)
    else:
        frame["id"] = _enterprise_ids(frame, stored, notes)
        _parse_qualification_column(frame, verdicts)
    rows = _keep_stored(frame, stored, blank_clears=blank_clears)
    rows = _defaults(rows, layer, set(map(str, stored["id"])), path.name,
                     now or datetime.now(timezone.utc).isoformat(timespec="seconds"))
    typed = _checked(rows, layer, verdicts, frames, today, carrier_check)
    accepted = typed.iloc[verdicts.kept].reset_index(drop=True)
    added, updated, unchanged = _compare(accepted, stored, layer)
    versions = dict(zip(map(str, frames[layer]["id"]), map(int, frames[layer].get("row_version", []))))
    base = {str(i): versions.get(str(i)) for i in accepted["id"]} if "row_version" in frames[layer] else {}
    return ImportPlan(path.name, file_sha256(path), layer, raw.format, None, accepted, [verdicts.row_numbers[i] for i in
                      verdicts.kept], _sorted(verdicts), added, updated, unchanged, notes, len(verdicts.row_numbers),
                      raw.frame, raw.first_data_row, base)


def _parse_qualification_column(frame: pd.DataFrame, verdicts: Verdicts) -> None:
    """The qualifications cells as stored JSON; a cell that cannot be read rejects its row."""
    parsed = []
    for i, value in enumerate(frame.get("qualifications", [])):
        text, why = parse_qualifications(value)
        if why:
            verdicts.reject(i, "qualifications", value, why)
        parsed.append(text)
    if "qualifications" in frame.columns:
        frame["qualifications"] = pd.Series(parsed, index=frame.index, dtype=object)


def _checked(rows: pd.DataFrame, layer: str, verdicts: Verdicts, frames: dict, today: date,
             carrier_check) -> pd.DataFrame:
    """Type the rows and reject each one the store would refuse, or the table's rules do."""
    spec = get_layer(layer)
    ids = [str(v).strip() for v in rows["id"]]
    keys, first = [], {}
    for i, fid in enumerate(ids):
        if fid in first:
            verdicts.reject(i, "id", fid, f"duplicate id (also on row {first[fid]})")
        keys.append(fid if fid not in first else f"{fid}#row{i}")
        first.setdefault(fid, verdicts.row_numbers[i])
    typed, problems = coerce_frame(rows.assign(id=keys), spec)
    typed = typed[list(spec.field_names)]
    position = {key: i for i, key in enumerate(keys)}
    wrong_type = {(position.get(str(p.feature_id)), p.field) for p in problems}
    for p in problems + [p for p in validate_layer(typed, spec)
                         if (position.get(str(p.feature_id)), p.field) not in wrong_type]:
        if str(p.feature_id) not in position:
            raise SpaceMapError(str(p))
        verdicts.reject(position[str(p.feature_id)], p.field, p.value, p.message)
    carriers = {str(v) for k in CARRIER_LAYERS if k in frames for v in frames[k]["id"]}
    stored, done = frames[layer], {(r.row, r.field) for r in verdicts.rejected}
    codes = {str(c): str(i) for i, c in zip(stored["id"], stored["credit_code"]) if not is_blank(c)} \
        if layer == "enterprises" else None
    for i, name, value, reason in table_row_problems(typed, layer, today=today, stored_codes=codes,
                                                     carrier_ids=carriers if layer == "units" else None,
                                                     rows=verdicts.row_numbers):
        if (verdicts.row_numbers[i], name) not in done:
            verdicts.reject(i, name, value, reason)
    if layer == "units" and carrier_check is not None:
        was = {str(i): str(c) for i, c in zip(stored["id"], stored["carrier_id"])}
        for i in verdicts.kept:
            if reason := carrier_check(was.get(ids[i]), str(typed["carrier_id"].iloc[i])):
                verdicts.reject(i, "carrier_id", typed["carrier_id"].iloc[i], reason)
    typed["id"] = ids
    return typed


def _sorted(verdicts: Verdicts) -> list:
    return sorted(verdicts.rejected, key=lambda r: (r.row, str(r.field)))


def _plain(value):
    value = None if is_blank(value) else value.item() if hasattr(value, "item") else value
    return round(value, 7) if isinstance(value, float) else value


def _compare(accepted: pd.DataFrame, stored: pd.DataFrame, layer: str) -> tuple[list, dict, list]:
    """Ids the commit would add, the field changes it would make to stored ids, the ids it leaves as they are."""
    fields = [f for f in get_layer(layer).field_names if f != "id"]
    old_rows = {str(r["id"]): r for r in stored.to_dict("records")}
    added, updated, unchanged = [], {}, []
    for rec in accepted.to_dict("records"):
        old = old_rows.get(str(rec["id"]))
        if old is None:
            added.append(str(rec["id"]))
            continue
        changes = [{"field": f, "old": _plain(old.get(f)), "new": _plain(rec.get(f))} for f in fields]
        changes = [c for c in changes if c["old"] != c["new"]]
        if changes:
            updated[str(rec["id"])] = changes
        else:
            unchanged.append(str(rec["id"]))
    return added, updated, unchanged
