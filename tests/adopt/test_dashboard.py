"""The dashboard a team can publish: dates and commits on the trend axes, the latest run's
outcomes, links that survive being uploaded as an artifact, a noise floor, plotly written once,
rule pages carrying the rule's documentation."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.history import session
from testcanon.report.data import NOISE_FLOOR_S, _timings

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=GIT_ENV).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[project]\nname = 'r'\n\n[tool.testcanon]\n",
        "tests/test_env.py": "import os\n\n\ndef test_env():\n    assert os.getenv('X') is None\n",
        "tests/test_fails.py": "def test_fails():\n    assert 1 == 2\n",
        "tests/test_gone.py": "import module_that_is_gone\n",
    })
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "one")
    return root


@pytest.mark.slow
def test_published_dashboard(repo: Path, tmp_path: Path) -> None:
    commit = _git(repo, "rev-parse", "HEAD")
    _git(repo, "remote", "add", "origin", "git@github.com:acme/shop.git")
    assert run_canon("audit", cwd=repo).returncode == 0
    run_canon("run", "--serial", cwd=repo)  # test_fails fails: recorded in the history
    out = tmp_path / "out"
    assert run_canon("report", "--html", str(out), cwd=repo).returncode == 0
    index = (out / "index.html").read_text()
    day = time.strftime("%Y-%m-%d")
    assert re.search(rf'"x": \["{day} \d\d:\d\d {commit[:7]} #\d+"', index), "trend axis: date and commit"
    latest = index[index.index("id=latest-run"):]
    assert "1 failed" in latest and "1 passed" in latest and "tests/test_fails.py::test_fails" in latest
    # each problem with its message: the error line in view, the recorded report behind a click
    assert "<summary>assert 1 == 2</summary>" in latest
    assert "<summary>ModuleNotFoundError: No module named &#x27;module_that_is_gone&#x27;</summary>" in latest
    assert "collection_error" in latest and "tests/test_gone.py" in latest
    assert "file://" not in index and str(repo) not in index  # nothing that breaks once published
    page = (out / "rules" / "CANON301.html").read_text()
    assert f'href="https://github.com/acme/shop/blob/{commit}/tests/test_env.py#L5"' in page
    assert "<h2>Why is this bad?</h2>" in page and "one dictionary for the whole process" in page

    bundle = out / "plotly.min.js"
    stamp = bundle.stat().st_mtime_ns
    assert run_canon("report", "--html", str(out), cwd=repo).returncode == 0
    assert bundle.stat().st_mtime_ns == stamp  # same plotly.js version: not written again


@pytest.mark.slow
def test_links_without_a_github_remote_are_relative(repo: Path, tmp_path: Path) -> None:
    out = repo / "report"
    run_canon("audit", cwd=repo)
    assert run_canon("report", "--html", str(out), cwd=repo).returncode == 0
    page = (out / "rules" / "CANON301.html").read_text()
    assert 'href="../../tests/test_env.py#L5"' in page
    assert (out / "rules" / "../../tests/test_env.py").resolve() == (repo / "tests" / "test_env.py").resolve()


def test_regressions_below_the_noise_floor_are_not_listed(tmp_path: Path) -> None:
    def run(durations: dict[str, float]) -> None:
        with session(tmp_path) as db:
            run_id = db.execute("INSERT INTO runs (kind, started, command) VALUES ('test', ?, 'canon run')",
                                (time.time(),)).lastrowid
            db.executemany("INSERT INTO test_results (run_id, nodeid, file, outcome, duration) "
                           "VALUES (?, ?, 't.py', 'passed', ?)",
                           [(run_id, n, d) for n, d in durations.items()])

    for _ in range(4):
        run({"t.py::tiny": 0.007, "t.py::real": 0.200})
    for _ in range(3):
        run({"t.py::tiny": 0.034, "t.py::real": 0.600})  # 4.9x but +27 ms; 3x and +400 ms
    _slowest, regressed = _timings(tmp_path)
    assert [t.nodeid for t in regressed] == ["t.py::real"]
    assert NOISE_FLOOR_S > 0.034 - 0.007


@pytest.mark.slow
def test_screenshots_for_the_docs_are_taken_in_headless_chromium(repo: Path, tmp_path: Path) -> None:
    """scripts/screenshots.py photographs a real dashboard (docs/images comes from it)."""
    import importlib.util
    import shutil
    import struct

    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium on this machine (make browser installs Debian's package)")
    spec = importlib.util.spec_from_file_location("screenshots",
                                                  Path(__file__).parents[2] / "scripts" / "screenshots.py")
    assert spec and spec.loader
    screenshots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screenshots)
    run_canon("audit", cwd=repo)
    run_canon("run", "--serial", cwd=repo)  # a failure and a collection error for #problems
    assert run_canon("report", "--html", str(tmp_path / "out"), cwd=repo).returncode == 0
    written = screenshots.photograph(tmp_path / "out", tmp_path / "shots", executable)
    assert [p.name for p in written] == list(screenshots.SHOTS)
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width > 200 and height > 50, (path.name, width, height)
