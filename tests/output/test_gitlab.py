"""`--format gitlab`: a GitLab Code Quality report that GitLab accepts (every required field,
unique fingerprints, repository paths), with the baselined findings in it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from canon_support import run_canon, write_tree

REQUIRED = {"description", "check_name", "fingerprint", "severity", "location"}
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}

TREE = {
    "pyproject.toml": "[tool.testcanon]\n",
    # the same offending text twice in one file: one finding fingerprint, two GitLab issues
    "tests/test_env.py": ("import os\n\n\ndef test_a():\n    os.environ['A'] = '1'\n\n\n"
                          "def test_b():\n    os.environ['A'] = '1'\n"),
}


def _report(repo: Path, *args: str) -> list[dict]:
    result = run_canon("check", "--format", "gitlab", *args, cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_every_issue_has_what_gitlab_requires(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", TREE)
    issues = _report(repo)
    assert len(issues) == 2
    for issue in issues:
        assert set(issue) >= REQUIRED and issue["severity"] in SEVERITIES
        assert issue["check_name"] == "CANON301" and issue["description"].startswith("CANON301 ")
        assert issue["location"]["path"] == "tests/test_env.py"
        assert issue["location"]["lines"]["begin"] in (5, 9)
    assert len({issue["fingerprint"] for issue in issues}) == 2


def test_paths_are_from_the_repository_root(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {f"svc/{path}": text for path, text in TREE.items()})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    issues = _report(repo / "svc")
    assert {issue["location"]["path"] for issue in issues} == {"svc/tests/test_env.py"}


def test_baselined_findings_stay_in_the_report(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", TREE)
    before = _report(repo)
    assert run_canon("check", "--write-baseline", cwd=repo).returncode == 0
    result = run_canon("check", "--format", "gitlab", cwd=repo)
    assert result.returncode == 0  # nothing new fails the command
    assert json.loads(result.stdout) == before  # GitLab does the comparison with the target branch
