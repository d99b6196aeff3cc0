"""A pytest process that did not finish its session is a failure with the reason, never green."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

pytestmark = pytest.mark.slow

PASSING = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"


def _run(root: Path, *args: str) -> tuple[int, dict, str]:
    result = run_canon("run", "--json", "result.json", *args, cwd=root)
    document = json.loads((root / "result.json").read_text()) if (root / "result.json").exists() else {}
    return result.returncode, document, result.stdout + result.stderr


@pytest.mark.parametrize("conftest", ["import os\nos._exit(0)\n", "import sys\nsys.exit(0)\n"])
def test_a_conftest_that_exits_zero_is_a_failure(tmp_path: Path, conftest: str) -> None:
    root = write_tree(tmp_path / "p", {"tests/conftest.py": conftest, "tests/test_a.py": PASSING})
    code, document, output = _run(root)
    assert code == 1, output
    assert [f["reason"] for f in document["failures"]][0].startswith(
        "pytest exited 0 without finishing its session")
    assert "without finishing its session" in output


def test_a_test_killing_its_own_process_is_a_failure(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"tests/test_a.py": PASSING + (
        "\ndef test_z_killed():\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n")})
    code, document, output = _run(root)
    assert code == 1, output
    assert document["failures"][0]["reason"].startswith("killed by SIGKILL")
    assert all(t["outcome"] == "passed" for t in document["tests"])  # results are batched: some may be lost


def test_a_hanging_conftest_is_bounded_by_the_run_timeout(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": "[tool.testcanon.runner]\ntimeout = 3\n",
        "tests/conftest.py": "import time\ntime.sleep(120)\n", "tests/test_a.py": PASSING})
    started = time.monotonic()
    code, document, output = _run(root)
    assert time.monotonic() - started < 30
    assert code == 1, output
    assert document["failures"][0]["reason"].startswith("timed out: the run's timeout (3s, ")


def test_failure_tracebacks_are_in_the_json(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"tests/test_a.py": "def test_bad():\n    assert 1 == 2, 'boom'\n"})
    code, document, _ = _run(root)
    assert code == 1
    (test,) = document["tests"]
    assert test["outcome"] == "failed" and "AssertionError: boom" in test["longrepr"]
    assert document["python"]["source"] in ("testcanon", "virtual_env")


def test_collect_is_bounded_by_collect_timeout_as_a_whole(tmp_path: Path) -> None:
    """Two hanging files in separate batches: the bound holds for the command, not per retry."""
    hang = "import time\ntime.sleep(120)\n\ndef test_h():\n    pass\n"
    root = write_tree(tmp_path / "p", {"tests/test_a.py": PASSING, "tests/test_h1.py": hang,
                                       "tests/test_h2.py": hang, "tests/test_z.py": PASSING})
    started = time.monotonic()
    result = run_canon("collect", "--format", "json", "--batch-size", "1", "--timeout", "4", cwd=root)
    elapsed = time.monotonic() - started
    assert elapsed < 25, elapsed
    document = json.loads(result.stdout)
    timed_out = {f for c in document["clusters"] if c["cause"] == "collection timed out" for f in c["files"]}
    assert {"tests/test_h1.py", "tests/test_h2.py"} <= timed_out
    assert result.returncode == 1


def test_collect_is_honest_when_pytest_rejects_the_invocation(tmp_path: Path) -> None:
    """A project's options that make every batch exit 4: the files fail, never '0 failing'."""
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "--cache-clear --no-such-option"\n',
        "tests/test_a.py": PASSING})
    result = run_canon("collect", "--format", "json", cwd=root)
    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert document["failed_files"] == 1
    assert document["clusters"][0]["cause"].startswith("pytest could not collect: pytest exit code 4")


def test_cache_clear_in_addopts_is_honoured_not_fought(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "--cache-clear"\n',
        "tests/test_a.py": PASSING})
    result = run_canon("collect", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["success"] == "1/1"


def test_a_module_skipped_at_collection_counts_as_pytest_counts_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "tests/test_opt.py": "import pytest\npytest.importorskip('no_such_module_here')\n\n"
                             "def test_x():\n    pass\n",
        "tests/test_a.py": PASSING})
    code, document, _ = _run(root)
    assert code == 0
    assert {t["nodeid"]: t["outcome"] for t in document["tests"]} == {
        "tests/test_opt.py": "skipped", "tests/test_a.py::test_one": "passed",
        "tests/test_a.py::test_two": "passed"}
