"""The example repository's lost tests (EXPECTED.md, `## canon fix --resurrect`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from canon_support import EXAMPLE, expected_section, run_canon


@pytest.mark.slow
def test_resurrect_matches_expected(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    rows = [line.strip("|").split("|") for line in expected_section("canon fix --resurrect").splitlines()
            if line.startswith("| tests/")]
    done = run_canon("fix", "--resurrect", "--format", "json", *(r[0].strip() for r in rows), cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    files = {f["path"]: f for f in json.loads(done.stdout)["files"]}
    for path, restored, origin, removed, collected in ([c.strip() for c in row] for row in rows):
        report = files[path]
        assert report["verdict"] == "resurrected"
        names = {r["test_id"].split("::")[-1] for r in report["restored"]}
        assert names == set(restored.replace("(", ",").replace(")", "").replace(" ", "").split(",")) - {""}
        assert {r["origin"] for r in report["restored"]} == {origin}
        assert len(report["placeholders_removed"]) == int(removed)
        assert report["collection"].startswith(f"pytest collects {collected} ids")
