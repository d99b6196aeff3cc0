"""`canon run` and `canon collect` on the example repository, held to its EXPECTED.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from canon_support import EXAMPLE, expected_table, expected_value, run_canon


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ex") / "sprawling_repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    return root


def test_run_matches_expected(example: Path) -> None:
    result = run_canon("run", "--no-fail-fast", "--json", "r.json", cwd=example)
    assert result.returncode == 1
    document = json.loads((example / "r.json").read_text())
    got = [(c["layer"], c["category"], c["files"], c["passed"], c["failed"], c["errors"])
           for c in document["categories"]]
    want = [(int(r["layer"]), r["category"], int(r["files"]), int(r["passed"]), int(r["failed"]),
             int(r["errors"])) for r in expected_table("canon run")]
    assert got == want


def test_default_run_stops_after_the_failing_first_layer(example: Path) -> None:
    result = run_canon("run", "--json", "first.json", cwd=example)
    document = json.loads((example / "first.json").read_text())
    assert result.returncode == 1
    assert {c["layer"] for c in document["categories"]} == {0}
    assert document["stopped_after_layer"] == 0


def test_collect_matches_expected(example: Path) -> None:
    health = json.loads(run_canon("collect", "--format", "json", cwd=example).stdout)
    assert health["collected"] == expected_value("canon collect", "collected")
    assert health["test_files"] == expected_value("canon collect", "test_files")
    clusters = {c["cause"]: c["count"] for c in health["clusters"]}
    for row in expected_table("canon collect"):
        assert clusters[row["cause"]] == int(row["files"])
    compile_files = sum(c["count"] for c in health["clusters"] if c["cause"].startswith("does not compile"))
    assert compile_files == 14
