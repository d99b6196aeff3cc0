"""`canon check` on the example repository, held to EXPECTED.md `## canon check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from canon_support import EXAMPLE, expected_table, run_canon


def test_check_matches_expected(tmp_path: Path) -> None:
    root = tmp_path / "sprawling_repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    document = json.loads(run_canon("check", "--format", "json", cwd=root).stdout)
    assert document["statistics"] == {r["code"]: int(r["count"]) for r in expected_table("canon check", 0)}
    metrics = document["metrics"]
    flat = {**metrics, **{f"runner_bypasses.{k}": v for k, v in metrics["runner_bypasses"].items()}}
    flat["runner_bypasses"] = metrics["runner_bypasses"]["total"]
    for row in expected_table("canon check", 1):
        assert flat[row["metric"]] == int(row["value"]), row["metric"]
    bases = [(b["qualified_name"], f"{b['path']}:{b['line']}", b["test_classes"])
             for b in document["home_made_bases"]]
    assert bases == [(r["base class"], r["defined at"], int(r["test classes"]))
                     for r in expected_table("canon check", 2)]
