"""Uncollectable test files as known debt: `canon init` records the ones the code is at fault for,
`canon run` leaves exactly those out (reported as not run) while a new or edited one still fails,
and `canon check`/`canon scan` never compare or rewrite those entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.adopt.uncollectable import declared_modules, is_environment

PASSING = "def test_ok():\n    assert 1 + 1 == 2\n"
TREE = {
    "pyproject.toml": "[project]\nname = 'demo'\ndependencies = ['not-installed-anywhere>=1', 'PyYAML']\n",
    "tests/unit/test_ok.py": PASSING,
    "tests/unit/test_broken.py": "def test_old(:\n    pass\n",
    "tests/unit/test_gone.py": "from legacy_gone.base import Case\n\n\ndef test_x():\n    assert Case\n",
    # declared by the project: the environment lacks it, the code is not at fault
    "tests/unit/test_env.py": "import not_installed_anywhere\n\n\ndef test_y():\n    pass\n",
}


def _entries(repo: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in json.loads((repo / "testcanon-baseline.json").read_text())["findings"]:
        found.setdefault(entry["code"], []).append(entry["path"])
    return found


def _run(repo: Path, tmp_path: Path) -> tuple[int, dict]:
    report = tmp_path / "run.json"
    done = run_canon("run", "--json", str(report), cwd=repo)
    return done.returncode, json.loads(report.read_text())


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = write_tree(tmp_path_factory.mktemp("debt") / "repo", TREE)
    done = run_canon("init", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "2 uncollectable test file(s); 1 not recorded, failing for the environment" in \
        " ".join(done.stdout.split())
    return repo


@pytest.mark.slow
def test_init_records_what_the_code_is_at_fault_for(adopted: Path) -> None:
    entries = _entries(adopted)
    assert sorted(entries["COLLECT"]) == ["tests/unit/test_broken.py", "tests/unit/test_gone.py"]
    assert "tests/unit/test_broken.py" in entries["CANON001"]  # scan's own entry stays beside it


@pytest.mark.slow
def test_run_leaves_out_known_debt_and_fails_on_new_or_edited_files(adopted: Path, tmp_path: Path) -> None:
    env_file = adopted / "tests" / "unit" / "test_env.py"
    env_source = env_file.read_bytes()
    code, report = _run(adopted, tmp_path)
    assert code == 1  # the environment's import error is not debt: it fails until the env is fixed
    env_file.unlink()
    try:
        code, report = _run(adopted, tmp_path)
        assert code == 0, report
        reasons = {r["file"]: r["reason"] for r in report["not_run"]}
        assert sorted(reasons) == ["tests/unit/test_broken.py", "tests/unit/test_gone.py"]
        assert all(why.startswith("known debt") for why in reasons.values())
        assert [t["outcome"] for t in report["tests"]] == ["passed"]

        new = adopted / "tests" / "unit" / "test_new_broken.py"
        new.write_text("def test_new(:\n")
        code, report = _run(adopted, tmp_path)
        new.unlink()
        assert code == 1 and any("test_new_broken.py" in t["nodeid"] for t in report["tests"])

        broken = adopted / "tests" / "unit" / "test_broken.py"
        before = broken.read_bytes()
        broken.write_bytes(before + b"# touched\n")  # still broken, but no longer what was accepted
        code, report = _run(adopted, tmp_path)
        broken.write_bytes(before)
        assert code == 1 and any("test_broken.py" in t["nodeid"] for t in report["tests"])
    finally:
        env_file.write_bytes(env_source)


@pytest.mark.slow
def test_check_and_scan_keep_the_runners_entries(adopted: Path) -> None:
    baseline = adopted / "testcanon-baseline.json"
    saved = baseline.read_bytes()
    try:
        for command in (["check"], ["scan"]):
            done = run_canon(*command, cwd=adopted)
            assert done.returncode == 0, done.stdout
            assert " 0 fixed" in done.stdout or "fixed" not in done.stdout, done.stdout
        assert run_canon("check", "--write-baseline", cwd=adopted).returncode == 0
        assert sorted(_entries(adopted)["COLLECT"]) == ["tests/unit/test_broken.py",
                                                        "tests/unit/test_gone.py"]
        assert run_canon("check", "--update-baseline", cwd=adopted).returncode == 0
        assert len(_entries(adopted)["COLLECT"]) == 2
    finally:
        baseline.write_bytes(saved)


def test_declared_and_held_modules_are_the_environments(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "pyproject.toml": "[project]\nname = 'my-app'\ndependencies = ['Django>=4', 'PyYAML']\n"
                          "[project.optional-dependencies]\ntest = ['pytest-django']\n",
        "requirements/test.txt": "# pinned\nfakeredis==2.0 ; python_version > '3'\n-r base.txt\n",
        "requirements/extras/db.txt": "kombu[sqlalchemy, Redis]\n",  # celery's way
        "src/engine/__init__.py": "",
        "tools.py": "",
    })
    known = declared_modules(root)
    assert {"django", "yaml", "pytest_django", "fakeredis", "my_app", "engine", "tools", "kombu",
            "sqlalchemy", "redis"} <= known
    assert is_environment("ModuleNotFoundError: No module named 'django.db'", known)
    assert is_environment("ImportError: cannot import name 'X' from 'yaml' (/x/yaml/__init__.py)", known)
    assert not is_environment("ModuleNotFoundError: No module named 'legacy_testing'", known)
    assert not is_environment("NameError: name 'x' is not defined", known)


@pytest.mark.slow
def test_collect_write_baseline_accepts_todays_files_within_its_paths(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {**TREE, "tests/e2e/test_broken_too.py": "class X(\n"})
    (repo / "tests" / "unit" / "test_env.py").unlink()
    done = run_canon("collect", "--write-baseline", "tests/unit", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 uncollectable test file(s)" in done.stdout
    assert sorted(_entries(repo)["COLLECT"]) == ["tests/unit/test_broken.py", "tests/unit/test_gone.py"]
    code, _report = _run(repo, tmp_path)
    assert code == 1  # tests/e2e was not collected for the baseline: its broken file still fails
    assert run_canon("collect", "--write-baseline", cwd=repo).returncode == 0
    assert len(_entries(repo)["COLLECT"]) == 3
    code, report = _run(repo, tmp_path)
    assert code == 0, report


@pytest.mark.slow
def test_a_pytest_that_cannot_start_records_nothing_but_broken_files(tmp_path: Path) -> None:
    """psf/black's conftest fails under a newer pytest (internal error): no file is at fault."""
    repo = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[project]\nname = 'demo'\n",
        "conftest.py": "def pytest_configure(config):\n    raise RuntimeError('conftest broke')\n",
        "tests/test_ok.py": PASSING, "tests/test_broken.py": "def test_old(:\n",
    })
    done = run_canon("init", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert _entries(repo)["COLLECT"] == ["tests/test_broken.py"]
    assert "1 not recorded, failing for the environment" in " ".join(done.stdout.split())
