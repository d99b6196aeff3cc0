"""`canon run` for real in subprocesses: layers, fail-fast, categories, results, history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from canon_support import run_canon


def _json(root: Path, *args: str) -> tuple[int, dict]:
    result = run_canon("run", "--json", "result.json", *args, cwd=root)
    return result.returncode, json.loads((root / "result.json").read_text())


def test_failing_layer_stops_later_layers(layered: Path) -> None:
    code, document = _json(layered)
    assert code == 1
    ran = {(c["layer"], c["category"]): (c["passed"], c["failed"]) for c in document["categories"]}
    assert ran == {(0, "smoke"): (1, 0), (0, "unit"): (2, 0), (1, "integration"): (1, 1)}
    assert document["stopped_after_layer"] == 1


def test_no_fail_fast_runs_every_layer(layered: Path) -> None:
    code, document = _json(layered, "--no-fail-fast")
    assert code == 1
    assert [c["category"] for c in document["categories"]] == ["smoke", "unit", "integration", "e2e"]


def test_category_selection_and_marker_categories(layered: Path) -> None:
    code, document = _json(layered, "--category", "smoke")
    assert code == 0
    assert [(t["nodeid"], t["category"]) for t in document["tests"]] == [
        ("tests/test_marked.py::test_smoke", "smoke")]
    unknown = run_canon("run", "--category", "smok", cwd=layered)
    assert unknown.returncode == 2 and "did you mean 'smoke'" in unknown.stderr


def test_pytest_args_after_double_dash(layered: Path) -> None:
    code, document = _json(layered, "--category", "integration", "--", "-k", "ok")
    assert code == 0
    assert [t["nodeid"] for t in document["tests"]] == ["tests/integration/test_i.py::test_i_ok"]


def test_every_run_is_recorded_in_history(layered: Path) -> None:
    run_canon("run", "--no-fail-fast", cwd=layered)
    db = sqlite3.connect(layered / ".testcanon" / "history.sqlite3")
    outcomes = dict(db.execute("SELECT nodeid, outcome FROM test_results"))
    assert outcomes["tests/integration/test_i.py::test_i_bad"] == "failed"
    assert len(outcomes) == 6
    assert db.execute("SELECT kind, exit_code FROM runs").fetchall() == [("test", 1)]


def test_junit_xml_merges_all_categories(layered: Path) -> None:
    import xml.etree.ElementTree as ET

    run_canon("run", "--no-fail-fast", "--junit-xml", "out/junit.xml", cwd=layered)
    root = ET.parse(layered / "out" / "junit.xml").getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == 6
    assert not list((layered / "out").glob(".junit*"))


def test_collection_errors_count_even_in_parallel(layered: Path) -> None:
    (layered / "tests" / "unit" / "test_broken_import.py").write_text("import no_such_module\n")
    code, document = _json(layered, "--category", "unit", "--workers", "2")
    assert code == 1
    unit = document["categories"][0]
    assert (unit["passed"], unit["errors"]) == (2, 1)
