"""CANON601-603 report only duplicates worth consolidating."""

from __future__ import annotations

import re
from pathlib import Path

from canon_support import write_tree
from testcanon.config import load_project
from testcanon.rules import check_project

_FIXTURE = ("import pytest\n\n@pytest.fixture{deco}\ndef {name}(tmp_path):\n"
            "    conn = connect(tmp_path, {lit})\n"
            "    conn.migrate()\n    yield conn\n    conn.close()\n")


def _dups(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int]]:
    root = write_tree(tmp_path / "d", {"pyproject.toml": "[tool.testcanon]\n", **files})
    result = check_project(load_project(root), use_cache=False)
    return sorted((f.code, f.path, f.line) for f in result.findings if f.code.startswith("CANON60"))


def test_identical_fixtures_up_to_local_names_are_one_cluster(tmp_path: Path) -> None:
    renamed = re.sub(r"\bconn\b", "c", _FIXTURE.format(deco="", name="db", lit="'x'"))
    found = _dups(tmp_path, {"a/conftest.py": _FIXTURE.format(deco="", name="db", lit="'x'"),
                             "b/conftest.py": renamed})
    assert found == [("CANON602", "a/conftest.py", 4), ("CANON602", "b/conftest.py", 4)]


def test_fixtures_that_differ_in_literals_scope_or_are_tiny_are_not_duplicates(tmp_path: Path) -> None:
    assert _dups(tmp_path, {
        "a/conftest.py": _FIXTURE.format(deco="", name="db", lit="'x'"),
        "b/conftest.py": _FIXTURE.format(deco="", name="db", lit="'y'"),  # another database
        "c/conftest.py": _FIXTURE.format(deco="(scope='session')", name="db", lit="'x'"),
        "d/conftest.py": "import pytest\n\n@pytest.fixture\ndef app():\n    return make_app()\n",
        "e/conftest.py": "import pytest\n\n@pytest.fixture\ndef app():\n    return make_app()\n",  # two lines
    }) == []


def test_helpers_that_call_different_things_are_not_duplicates(tmp_path: Path) -> None:
    helper = ("def {name}(host, port, timeout):\n    deadline = time.time() + timeout\n"
              "    while time.time() < deadline:\n        if {probe}(host, port):\n            return True\n"
              "        time.sleep(0.1)\n    return False\n")
    config = "[tool.testcanon.check]\ninfra = ['tests/helpers/**']\n"
    same = _dups(tmp_path / "s", {"pyproject.toml": config,
                                  "tests/helpers/a.py": helper.format(name="wait_port", probe="probe"),
                                  "tests/helpers/b.py": helper.format(name="wait_for", probe="probe")})
    assert [code for code, _, _ in same] == ["CANON601", "CANON601"]
    assert _dups(tmp_path / "d", {"pyproject.toml": config,
                                  "tests/helpers/a.py": helper.format(name="wait_port", probe="tcp_open"),
                                  "tests/helpers/b.py": helper.format(name="wait_http",
                                                                      probe="http_ok")}) == []


def test_a_mock_in_a_unit_class_next_to_an_e2e_class_is_not_a_real_service_mock(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "m", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_mixed.py": (
        "import pytest\n\n\nclass TestUnit:\n    def test_a(self):\n"
        "        from unittest.mock import patch\n\n\n"
        "@pytest.mark.e2e\nclass TestE2E:\n    def test_b(self):\n"
        "        from unittest.mock import MagicMock\n")})
    result = check_project(load_project(root), use_cache=False)
    assert [(f.code, f.line) for f in result.findings if f.code == "CANON501"] == [("CANON501", 12)]
