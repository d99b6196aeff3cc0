"""The example repository's EXPECTED.md `## canon scan` section, held against `canon scan`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from canon_support import EXAMPLE, expected_table, expected_value, run_canon


def _scratch(tmp_path: Path) -> Path:
    copy = tmp_path / "sprawling_repo"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    return copy


def test_scan_finds_exactly_the_expected_files(tmp_path: Path) -> None:
    root = _scratch(tmp_path)
    result = run_canon("scan", "--format", "json", cwd=root)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["summary"]["files"] == expected_value("canon scan", "files")
    assert document["summary"]["broken"] == expected_value("canon scan", "broken")
    found = sorted((f["path"], f["code"], f["kind"], f["line"]) for f in document["findings"])
    expected = sorted((r["path"], r["code"], r["kind"], int(r["line"]))
                      for r in expected_table("canon scan"))
    assert found == expected


def test_priority_groups_lead_the_listing(tmp_path: Path) -> None:
    root = _scratch(tmp_path)
    document = json.loads(run_canon("scan", "--format", "json", cwd=root).stdout)
    paths = [f["path"] for f in document["findings"]]
    assert [p.split("/")[1] for p in paths[:4]] == ["mission_critical"] * 2 + ["e2e"] * 2
    assert document["summary"]["by_priority"] == {
        "tests/mission_critical/**": 2, "tests/e2e/**": 2, "(other)": 10}


def test_the_latin1_file_with_a_cookie_is_not_reported(tmp_path: Path) -> None:
    root = _scratch(tmp_path)
    document = json.loads(run_canon("scan", "--format", "json", cwd=root).stdout)
    assert "tests/unit/test_latin1_ok.py" not in {f["path"] for f in document["findings"]}
    assert not any(f["path"].startswith("backup/") for f in document["findings"])
