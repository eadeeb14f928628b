"""Test helpers that put unusual data into a real store."""
from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geodata.storage import read_layer, replace_layers

XSS_NAME = "<img src=x onerror=alert(1)>"


def store_with_xss_carrier(source: Path, target: Path) -> Path:
    """Copy the GeoPackage ``source`` to ``target`` and add an incubator whose texts are an XSS payload."""
    shutil.copy(source, target)
    return add_xss_carrier(target)


APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str | None = None):
    """Run the real app under AppTest (on ``page`` if given, e.g. "views/tally_page.py"),
    asserting no exception; the store is whatever $SPACEMAP_STORE names."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


ROLE_PASSWORD = "a long enough secret"


def as_role(role: str | None, location) -> dict | None:
    """The session account of ``role`` (an account ``<role>-test`` made in the store when missing);
    None for an anonymous visitor."""
    if role is None:
        return None
    from geodata.stewardship.accounts import add_account, list_accounts

    name = f"{role}-test"
    if name not in {a["name"] for a in list_accounts(location)}:
        add_account(name, ROLE_PASSWORD, role, by="test-setup", location=location)
    return {"name": name, "role": role}


def open_as(role: str | None, location, page: str | None = None):
    """Run the real app under AppTest logged in with ``role`` (None: anonymous), on ``page``."""
    import time

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    account = as_role(role, location)
    if account:
        at.session_state["account"] = account
        at.session_state["account_seen"] = time.time()
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at, page_module, tab_key: str, lang: str = "zh"):
    """Open the Tally page's ``tab_key`` tab (e.g. "ec_tab_economy") in an AppTest run, as a click on it
    would: its label becomes the tabs' widget value and the script runs again (only the open tab runs)."""
    from messages import t

    at.session_state[page_module.tab_key(lang)] = t(tab_key, lang)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_html(at) -> str:
    """Every st.html body of an AppTest run, joined."""
    return "\n".join(h.proto.body for h in at.get("html"))


def html_tables(at, css_class: str) -> list[pd.DataFrame]:
    """The HTML tables of class ``css_class`` in an AppTest run, as frames of their cell texts (header
    row as columns, entities decoded): what a reader of the page sees."""
    from html.parser import HTMLParser

    class _Cells(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tables, self.row, self.cell = [], None, None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append([])
            elif tag == "tr" and self.tables:
                self.row = []
                self.tables[-1].append(self.row)
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.row.append("".join(self.cell))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    out = []
    for body in (h.proto.body for h in at.get("html")):
        if f'class="sm-table {css_class}' not in body:
            continue
        parser = _Cells()
        parser.feed(body)
        out += [pd.DataFrame(rows[1:], columns=rows[0]) for rows in parser.tables if rows]
    return out


def fingerprint(location) -> str:
    """A digest of everything in the store: the file's bytes, or every table's rows in a database."""
    import hashlib

    if not isinstance(location, str):  # a GeoPackage path, not a database URL
        return hashlib.sha256(Path(location).read_bytes()).hexdigest()
    import psycopg

    from geodata.storage.ddl import META_TABLE
    from layers.catalogue import LAYERS

    digest = hashlib.sha256()
    with psycopg.connect(location) as con:
        for table in [*LAYERS, META_TABLE, "spacemap_migrations"]:
            order = "fid" if table in LAYERS else "1"
            row = con.execute(f'SELECT md5(coalesce(string_agg(t::text, \'|\' ORDER BY {order}), \'\')) '
                              f'FROM "{table}" t').fetchone()
            digest.update(f"{table}:{row[0]};".encode())
    return digest.hexdigest()


def add_xss_carrier(location):
    """Add an incubator whose texts are an XSS payload to the store at ``location``."""
    incubators = read_layer("incubators", location)
    evil = gpd.GeoDataFrame({
        "id": ["inc-xss-test"], "layer": ["incubators"], "name_zh": [XSS_NAME], "name_en": [XSS_NAME],
        "address_zh": ["<script>alert(3)</script>"], "accuracy_m": [100.0], "location_basis": ["area"],
        "status": ["operating"], "source": ["test payload"], "hk_link": [False], "industries": ["ai"],
    }, geometry=[Point(114.0520, 22.5400)], crs="EPSG:4326")
    merged = gpd.GeoDataFrame(pd.concat([incubators, evil], ignore_index=True), geometry="geometry", crs="EPSG:4326")
    replace_layers({"incubators": merged}, location)
    return location


def kill_import_mid_write(store, csv: Path, marker: Path, patch: str) -> None:
    """Import ``csv`` into incubators in another process whose ``patch`` (Python code) writes
    ``marker`` and sleeps inside the write; SIGKILL it there."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from pathlib import Path
{patch}
from geodata.ingest.importer import plan_import
from geodata.stewardship.commits import commit_import
from geodata.storage import as_location, frames_for_import
store = as_location({str(store)!r})
commit_import(plan_import(Path({str(csv)!r}), "incubators", frames_for_import(store)), who="crash", path=store)
"""
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), "the import never reached the write"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def run_cli(capsys, *argv) -> tuple[int, dict | str, str]:
    """Exit code, stdout (parsed when JSON) and stderr of ``cli.main(argv)``."""
    import json

    import cli

    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err
