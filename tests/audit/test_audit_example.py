"""`canon audit` on the example repository, every number held to EXPECTED.md `## canon audit`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from canon_support import EXAMPLE, expected_table, run_canon


def _metrics(root: Path, *args: str) -> dict[str, float | None]:
    document = json.loads(run_canon("audit", "--format", "json", *args, cwd=root).stdout)
    return {m["metric"]: m["current"] for m in document["metrics"]}


def test_audit_numbers_match_expected(tmp_path: Path) -> None:
    root = tmp_path / "sprawling_repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    metrics = _metrics(root)
    for row in expected_table("canon audit"):
        assert metrics[row["metric"]] == float(row["current"]), row["metric"]
    assert metrics["collection_failures"] is None and metrics["event_coverage"] is None
    assert _metrics(root, "--collect")["collection_failures"] == 16
    run_canon("run", "--no-fail-fast", "--coverage", cwd=root)
    after = _metrics(root)
    assert after["event_coverage"] == 43.75  # EXPECTED.md: rules count only when seen to hold and to fail
    assert after["coverage.websocket"] == 100.0 and after["coverage.agent"] == 100.0
