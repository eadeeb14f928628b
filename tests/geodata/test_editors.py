"""Editor credentials: hashed, no default, slowed down after failures."""
import json

import pytest

from geodata.stewardship import accounts as editors
from spatial.errors import SpaceMapError


@pytest.fixture(autouse=True)
def editors_file(tmp_path, monkeypatch):
    path = tmp_path / "editors.json"
    monkeypatch.setenv("SPACEMAP_EDITORS", str(path))
    editors._failures.clear()
    return path


def test_add_editor__stores_a_salted_hash_never_the_password(editors_file):
    editors.add_editor("li", "correct horse battery")
    stored = json.loads(editors_file.read_text())["li"]
    assert "correct horse" not in stored and stored.startswith("pbkdf2_sha256$")
    assert oct(editors_file.stat().st_mode & 0o777) == "0o600"
    assert editors.check_login("li", "correct horse battery", editors.load_editors())
    assert not editors.check_login("li", "wrong password!", editors.load_editors())


def test_load_editors__none_configured_means_no_one_can_edit():
    assert editors.load_editors() == {}
    assert not editors.check_login("admin", "admin", {})


def test_add_editor__short_password_refused():
    with pytest.raises(SpaceMapError, match="at least 10"):
        editors.add_editor("li", "short")


def test_check_login__repeated_failures_slow_down():
    known = {"li": editors.hash_password("correct horse battery", iterations=1000)}
    for i in range(3):
        assert not editors.check_login("li", "nope", known, now=100.0 + i)
    assert editors.wait_before_next_try("li", now=102.5) == pytest.approx(0.5)
    # while waiting even the right password is refused
    assert not editors.check_login("li", "correct horse battery", known, now=102.6)
    assert editors.wait_before_next_try("li", now=102.6) == pytest.approx(0.4)
    assert editors.check_login("li", "correct horse battery", known, now=200.0)
    assert editors.wait_before_next_try("li", now=200.0) == 0.0
