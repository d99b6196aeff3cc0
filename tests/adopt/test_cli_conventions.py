"""ruff's command-line habits on check and scan: --output-format, --config, --exclude,
--extend-exclude, --force-exclude, --statistics, -q, --diff, --show-fixes, --target-version,
and a progress indicator on a terminal only."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {
        "pyproject.toml": "[project]\nname = 'r'\n\n[tool.testcanon]\nextend_exclude = ['legacy/**']\n",
        "legacy/old.py": "def old(:\n",
        "tests/test_a.py": "def test_a(:\n",
        "tests/test_b.py": "x = (\n",
        "tests/test_env.py": "import os\n\n\ndef test_env():\n    assert os.getenv('X') is None\n",
    })


def test_output_format_is_an_alias_of_format(repo: Path) -> None:
    for spelling in (["--output-format", "json"], ["--output-format=json"], ["--format", "json"]):
        document = json.loads(run_canon("scan", *spelling, cwd=repo).stdout)
        assert document["summary"]["broken"] == 2, spelling


def test_exclude_extend_exclude_and_force_exclude(repo: Path) -> None:
    def broken(*args: str) -> list[str]:
        return sorted(f["path"] for f in json.loads(run_canon("scan", "--format", "json", *args,
                                                              cwd=repo).stdout)["findings"])

    assert broken() == ["tests/test_a.py", "tests/test_b.py"]
    assert broken("--extend-exclude", "tests/test_b.py") == ["tests/test_a.py"]
    # --exclude replaces the exclude setting; extend_exclude (legacy/**) still applies, as in ruff
    assert broken("--exclude", "tests/test_a.py") == ["tests/test_b.py"]
    assert broken("legacy/old.py") == ["legacy/old.py"]  # named explicitly: scanned, as in ruff
    assert broken("legacy/old.py", "--force-exclude") == []
    assert run_canon("check", "legacy/old.py", "--force-exclude", cwd=repo).returncode == 0


def test_config_names_the_settings_file(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "pyproject.toml"
    other.parent.mkdir()
    other.write_text("[tool.testcanon]\nextend_exclude = ['tests/test_a.py']\n")
    result = run_canon("scan", str(repo / "tests"), "--config", str(other), "--format", "json", cwd=repo)
    # the root is the config's folder
    assert result.returncode == 2 and "outside the project" in result.stderr
    (repo / "alt.toml").write_text("[tool.testcanon]\nextend_exclude = ['tests/test_a.py', 'legacy/**']\n")
    document = json.loads(run_canon("scan", "--config", "alt.toml", "--format", "json", cwd=repo).stdout)
    assert [f["path"] for f in document["findings"]] == ["tests/test_b.py"]
    missing = run_canon("scan", "--config", "nope.toml", cwd=repo)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_statistics_and_quiet(repo: Path) -> None:
    stats = run_canon("scan", "--statistics", cwd=repo)
    assert stats.returncode == 1
    assert stats.stdout.splitlines() == ["     2  CANON001", "2 new file(s) that do not compile in 3 files"]
    quiet = run_canon("check", "-q", cwd=repo)
    lines = quiet.stdout.splitlines()
    assert quiet.returncode == 1 and len(lines) == 4 and lines[-1].startswith("3 new finding(s)")
    run_canon("check", "--write-baseline", cwd=repo)
    (repo / "tests" / "test_new.py").write_text("import os\nos.environ['Y'] = '1'\n")
    quiet = run_canon("check", "-q", cwd=repo)
    assert quiet.stdout.splitlines()[0].startswith("tests/test_new.py:2:")
    assert quiet.stdout.splitlines()[-1].endswith(", 3 in the baseline")


FIXABLE = {
    "pyproject.toml": "[project]\nname = 'r'\n",
    "tests/test_env.py": "import os\n\n\ndef test_env():\n    assert os.environ.get('X') is None\n",
    "tests/test_clean.py": "def test_clean():\n    assert True\n",
}


def test_diff_prints_the_fixes_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", FIXABLE)
    before = (repo / "tests" / "test_env.py").read_bytes()
    done = run_canon("check", "--diff", cwd=repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("--- a/tests/test_env.py\n+++ b/tests/test_env.py\n")
    assert "-    assert os.environ.get('X') is None" in done.stdout
    assert "1 file(s) would be changed by `canon migrate`" in done.stderr
    assert (repo / "tests" / "test_env.py").read_bytes() == before
    assert not (repo / ".testcanon" / "journal").exists()
    clean = run_canon("check", "--diff", "tests/test_clean.py", cwd=repo)
    assert (clean.returncode, clean.stdout) == (0, "")
    # --select narrows the fixes as it narrows the findings
    assert run_canon("check", "--diff", "--select", "CANON401", cwd=repo).returncode == 0


def test_show_fixes_lists_what_canon_migrate_can_fix(tmp_path: Path) -> None:
    skipped = ("import pytest\n\n\n@pytest.mark.skip(reason='broken, fix later')\n"
               "def test_later():\n    pass\n")
    repo = write_tree(tmp_path / "repo", {**FIXABLE, "tests/test_x.py": skipped})  # CANON703: no codemod
    done = run_canon("check", "--show-fixes", cwd=repo)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    index = next(i for i, line in enumerate(lines) if "fixable with `canon migrate`" in line)
    assert lines[index].startswith("1 of 2 finding(s)")
    assert lines[index + 1].strip() == "tests/test_env.py: CANON301"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="a PEP 701 f-string compiles on this Python")
def test_target_version_judges_version_specific_syntax(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[project]\nname = 'r'\nrequires-python = '>=3.11'\n",
        "tests/test_fstring.py": "def test_f():\n    assert f\"{'a' + \"b\"}\" == 'ab'\n",  # PEP 701 (3.12)
    })
    for command in ("scan", "check"):
        judged_311 = run_canon(command, "--no-baseline", "--target-version", "py311", cwd=repo)
        judged_312 = run_canon(command, "--no-baseline", "--target-version", "3.12", cwd=repo)
        assert judged_311.returncode == 1, judged_311.stdout
        assert judged_312.returncode == 0, judged_312.stdout
        bad = run_canon(command, "--target-version", "py3x", cwd=repo)
        assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
            "canon: error: --target-version: 'py3x' is not a Python version (e.g. py312 or 3.12)"]


def test_progress_only_on_a_terminal_and_only_for_long_work() -> None:
    import io
    import time

    from rich.console import Console

    from testcanon.output.progress import LazyStatus

    def drawn(terminal: bool, work: float) -> str:
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=terminal, width=80)
        with LazyStatus("canon check: demo", delay=0.1, console=console):
            time.sleep(work)
        return buffer.getvalue()

    assert "canon check: demo" in drawn(True, 0.6)
    assert drawn(True, 0.0) == ""  # finished before the delay: nothing drawn
    assert drawn(False, 0.6) == ""  # not a terminal (CI logs, pipes): nothing at all


def test_check_writes_no_progress_to_a_pipe(repo: Path) -> None:
    done = run_canon("check", "--no-cache", "--format", "json", cwd=repo)
    assert done.stderr == ""
