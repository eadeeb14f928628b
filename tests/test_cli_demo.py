"""``python cli.py demo``: builds a separate demo store, says where it is, what it holds and how to run
the app on it; bad input is one line and exit 2; the configured store is never written."""
from __future__ import annotations

import itertools
import json
import os

import pytest

import cli
from commands import demo
from geodata.storage import open_store, read_meta
from tests.conftest import use_location
from tests.helpers import fingerprint

_dbs = itertools.count(1)


@pytest.fixture
def main(monkeypatch):
    """``cli.main`` with the demo group registered (as cli.GROUPS will list it)."""
    if demo not in cli.GROUPS:
        monkeypatch.setattr(cli, "GROUPS", (*cli.GROUPS, demo))
    monkeypatch.delenv("SPACEMAP_DEBUG", raising=False)
    return cli.main


def test_register__adds_demo_with_its_options(main):
    args = cli.build_parser().parse_args(["demo", "--out", "x.gpkg", "--seed", "3", "--enquiries", "10", "--json"])
    assert (args.func, str(args.out), args.seed, args.enquiries, args.json) == (demo.cmd_demo, "x.gpkg", 3, 10, True)
    defaults = cli.build_parser().parse_args(["demo"])
    assert defaults.out is None and defaults.db_url is None and defaults.enquiries == 500
    assert demo.default_out() == cli.settings.REPO_ROOT / "data" / "demo.gpkg"


def test_demo__json_says_where_what_and_how_to_serve(main, store, tmp_path, capsys):
    before = fingerprint(store)
    out = tmp_path / "nested" / "demo.gpkg"
    code = main(["demo", "--out", str(out), "--seed", "7", "--enquiries", "60", "--units-per-carrier", "6",
                 "--today", "2026-03-01", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert data["location"] == str(out) and data["demo"] == "synthetic seed 7, generated 2026-03-01"
    assert data["serve"] == f"SPACEMAP_STORE={out} python cli.py serve"
    assert data["counts"]["enquiries"] == 60 and data["counts"]["screening_rules"] == 3
    demo_store = open_store(out)
    assert {k: len(demo_store.read_layer(k)) for k in data["counts"]} == data["counts"]
    assert data["counts"]["enterprise_years"] == 3 * data["counts"]["placements"] > 0  # the synthetic economy
    assert demo_store.read_layer("enterprise_years")["synthetic"].all()
    assert read_meta(out)["demo"] == data["demo"]
    assert fingerprint(store) == before  # the configured store (this test's) is untouched


def test_demo__text_output_names_the_store_and_the_serve_command(main, tmp_path, monkeypatch, capsys):
    use_location(tmp_path / "configured.gpkg", monkeypatch)  # once, not per backend: the output is the same
    out = tmp_path / "demo.gpkg"
    assert main(["demo", "--out", str(out), "--enquiries", "20", "--units-per-carrier", "4"]) == 0
    text = capsys.readouterr().out
    assert f"demo store: {out}" in text and "every market row is synthetic" in text
    assert f"run the app on it: SPACEMAP_STORE={out} python cli.py serve" in text


@pytest.mark.postgis_only
def test_demo__into_a_fresh_database(main, store, request, capsys):
    url = request.getfixturevalue("pg_cluster").create_database(f"cli_demo_{os.getpid()}_{next(_dbs)}")
    assert main(["demo", "--db-url", url, "--enquiries", "30", "--units-per-carrier", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["serve"].startswith("SPACEMAP_DB_URL=postgresql://") and data["counts"]["enquiries"] == 30
    assert len(open_store(url).read_layer("enquiries")) == 30


@pytest.mark.parametrize("argv, message", [
    (["--enquiries", "-1"], "--enquiries must be at least 0"),
    (["--units-per-carrier", "0"], "--units-per-carrier must be at least 1"),
    (["--out", "demo.csv"], "--out must be a .gpkg file"),
    (["--db-url", "mysql://x@y/z"], "--db-url must be a postgresql:// URL"),
    (["--today", "2026-13-01"], "--today must be a date"),
    (["--out", "a.gpkg", "--db-url", "postgresql://x@y/z"], "not allowed with argument"),
])
def test_demo__bad_input_is_one_line_and_exit_2(main, store, argv, message, capsys):
    before = fingerprint(store)
    try:
        code = main(["demo", *argv])
    except SystemExit as exc:  # argparse's own errors exit from the parser
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert fingerprint(store) == before


def test_demo__refuses_the_configured_store(main, store, capsys):
    before = fingerprint(store)
    argv = ["--db-url", store] if isinstance(store, str) else ["--out", str(store)]
    assert main(["demo", *argv, "--enquiries", "20"]) == 2
    assert "refusing to write the demo" in capsys.readouterr().err
    assert fingerprint(store) == before
