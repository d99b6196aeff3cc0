"""ruff's command-line habits on check and scan: --output-format, --config, --exclude,
--extend-exclude, --force-exclude, --statistics, -q."""

from __future__ import annotations

import json
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
        return sorted(f["path"] for f in json.loads(run_canon("scan", "--format", "json", *args, cwd=repo).stdout)
                      ["findings"])

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
    assert result.returncode == 2 and "outside the project" in result.stderr  # the root is the config's folder
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
