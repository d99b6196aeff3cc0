"""The baseline a team commits: where it lives, what it covers, and that a subset run only ever
touches the part of it that run looked at."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

ENV_READ = "import os\n\n\ndef test_{name}():\n    assert os.getenv('{name}') is None\n"
TREE = {
    "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.testcanon]\n",
    "tests/unit/test_a.py": ENV_READ.format(name="A"),
    "tests/unit/test_b.py": ENV_READ.format(name="B") + "\n\nfrom . import helpers\n",
    "tests/integration/test_c.py": ENV_READ.format(name="C"),
    "tests/legacy/test_broken.py": "def test_old(:\n    pass\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", TREE)


def _entries(repo: Path) -> list[tuple[str, str]]:
    document = json.loads((repo / "testcanon-baseline.json").read_text())
    return sorted((e["code"], e["path"]) for e in document["findings"])


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin", "HOME": str(repo)})


def test_baseline_is_written_at_the_root_and_covers_scan_findings(repo: Path) -> None:
    assert run_canon("check", "--write-baseline", cwd=repo).returncode == 0
    entries = _entries(repo)
    assert ("CANON001", "tests/legacy/test_broken.py") in entries  # scan's code, same file
    assert ("CANON301", "tests/unit/test_a.py") in entries
    assert not (repo / ".testcanon" / "baseline.json").exists()
    # legacy broken files do not fail `canon scan` any more; a new one does
    quiet = run_canon("scan", cwd=repo)
    assert quiet.returncode == 0, quiet.stdout
    assert "1 unchanged" in quiet.stdout and "test_broken.py" not in quiet.stdout
    (repo / "tests" / "unit" / "test_new.py").write_text("def test_new(:\n")
    loud = run_canon("scan", "--format", "github", cwd=repo)
    assert loud.returncode == 1
    assert loud.stdout.count("::error") == 1 and "file=tests/unit/test_new.py" in loud.stdout
    assert run_canon("scan", "--no-baseline", "--format", "json", cwd=repo).returncode == 1


def test_update_baseline_with_a_path_or_select_keeps_the_rest(repo: Path) -> None:
    run_canon("check", "--write-baseline", cwd=repo)
    everything = _entries(repo)
    (repo / "tests" / "unit" / "test_a.py").write_text("def test_a():\n    pass\n")  # fixes CANON301 there

    subset = run_canon("check", "tests/integration", "--update-baseline", cwd=repo)
    assert subset.returncode == 0, subset.stderr
    assert "0 fixed removed" in subset.stdout
    assert _entries(repo) == everything  # nothing outside tests/integration was touched

    selected = run_canon("check", "--select", "CANON4", "--update-baseline", cwd=repo)
    assert "0 fixed removed" in selected.stdout and _entries(repo) == everything

    scoped = run_canon("check", "tests/unit", "--select", "CANON301", "--update-baseline", cwd=repo)
    assert "1 fixed removed" in scoped.stdout
    assert _entries(repo) == [e for e in everything if e != ("CANON301", "tests/unit/test_a.py")]
    assert run_canon("check", cwd=repo).returncode == 0


def test_subset_sarif_never_marks_out_of_scope_entries_absent(repo: Path) -> None:
    run_canon("check", "--write-baseline", cwd=repo)
    sarif = json.loads(run_canon("check", "tests/integration", "--format", "sarif", cwd=repo).stdout)
    results = sarif["runs"][0]["results"]
    assert [r["baselineState"] for r in results] == ["unchanged"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "tests/integration/test_c.py"
    # a real fix inside the scope is reported absent, as a pass without a region
    (repo / "tests" / "integration" / "test_c.py").write_text("def test_c():\n    pass\n")
    sarif = json.loads(run_canon("check", "tests/integration", "--format", "sarif", cwd=repo).stdout)
    (absent,) = sarif["runs"][0]["results"]
    assert absent["baselineState"] == "absent" and absent["kind"] == "pass" and absent["level"] == "none"
    assert "region" not in absent["locations"][0]["physicalLocation"]


def test_write_baseline_with_a_path_replaces_only_that_part(repo: Path) -> None:
    run_canon("check", "--write-baseline", cwd=repo)
    everything = _entries(repo)
    (repo / "tests" / "integration" / "test_d.py").write_text(ENV_READ.format(name="D"))
    run_canon("check", "tests/integration", "--write-baseline", cwd=repo)
    assert _entries(repo) == sorted([*everything, ("CANON301", "tests/integration/test_d.py")])


def test_legacy_baseline_is_read_with_a_notice(repo: Path) -> None:
    run_canon("check", "--write-baseline", cwd=repo)
    (repo / ".testcanon").mkdir(exist_ok=True)
    (repo / "testcanon-baseline.json").rename(repo / ".testcanon" / "baseline.json")
    result = run_canon("check", cwd=repo)
    assert result.returncode == 0, result.stdout
    notices = [line for line in result.stderr.splitlines() if ".testcanon/baseline.json" in line]
    assert len(notices) == 1 and "testcanon-baseline.json" in notices[0]
    run_canon("check", "--write-baseline", cwd=repo)
    assert (repo / "testcanon-baseline.json").exists()
    assert ".testcanon/baseline.json" not in run_canon("check", cwd=repo).stderr


def test_a_broken_baseline_is_a_one_line_error(repo: Path) -> None:
    (repo / "testcanon-baseline.json").write_text('{"format": 1, "findings": [{"code": 3}]}')
    result = run_canon("check", cwd=repo)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not a testcanon baseline" in result.stderr


@pytest.mark.slow
def test_init_commit_fresh_clone_check_is_green(repo: Path, tmp_path: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    assert run_canon("init", cwd=repo).returncode == 0
    assert (repo / "testcanon-baseline.json").exists()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "adopt testcanon")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    assert (clone / "testcanon-baseline.json").exists()  # committed, not git-ignored
    for command in (["check"], ["scan"], ["check", "--format", "github"], ["scan", "--format", "github"]):
        result = run_canon(*command, cwd=clone)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
