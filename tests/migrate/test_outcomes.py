"""Verification by test outcomes: real pytest runs, before and after, in an isolated copy.

Each rejection here is a change that pytest collects exactly as before (so verification by
collected ids accepted it), and that breaks a test when it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.config import load_project
from testcanon.migrate.common import FileChange
from testcanon.migrate.run import MigrationReport, verify
from testcanon.target import resolve_python

pytestmark = pytest.mark.slow

CHAINED = """\
import os
import unittest


class TestChained(unittest.TestCase):
    def test_chained(self):
        os.environ["CANON_CHAINED_A"] = value = "1"
        assert value == "1" and os.environ["CANON_CHAINED_A"] == "1"
        del os.environ["CANON_CHAINED_A"]

    def test_other(self):
        assert True
"""

# What an early CANON301 codemod made of it: item assignment on IsolatedEnvironment, which has
# no __setitem__ (a TypeError when the line runs; collection imports the module and is happy).
CHAINED_BAD = """\
import os
import unittest

from testcanon import SSotBaseTestCase


class TestChained(SSotBaseTestCase):
    def test_chained(self):
        self.env["CANON_CHAINED_A"] = value = "1"
        assert value == "1" and self.env.get("CANON_CHAINED_A") == "1"
        self.env.delete("CANON_CHAINED_A")

    def test_other(self):
        assert True
"""

CHAINED_HONEST = """\
import os
import unittest

from testcanon import SSotBaseTestCase


class TestChained(SSotBaseTestCase):
    def test_chained(self):
        self.env.set("CANON_CHAINED_A", "1")
        value = "1"
        assert value == "1" and self.env.get("CANON_CHAINED_A") == "1"
        self.env.delete("CANON_CHAINED_A")

    def test_other(self):
        assert True
"""


@pytest.fixture(scope="session")
def pytest_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with pytest and without testcanon (as a project adopting it has), made once."""
    path = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(path)
    python = path / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "pytest"],
                   check=True, capture_output=True, timeout=600)
    assert resolve_python(path, cli=str(path)).has_testcanon is False
    return path


def project(root: Path, files: dict[str, str], config: str = "") -> Path:
    return write_tree(root, {"pyproject.toml": f"[tool.testcanon]\n{config}\n[tool.pytest.ini_options]\n"
                                               "pythonpath = [\".\"]\n", **files})


def test_outcomes_reject_chained_env_assignment_that_collection_accepts(tmp_path: Path,
                                                                        pytest_venv: Path) -> None:
    root = project(tmp_path / "p", {"tests/test_chained.py": CHAINED})
    loaded = load_project(root)
    target = resolve_python(root, cli=str(pytest_venv))
    bad = FileChange.of("tests/test_chained.py", CHAINED.encode(), CHAINED_BAD.encode(),
                        {"CANON301", "CANON101"})
    by_ids = verify(loaded, MigrationReport([bad]), level="collect", python=target)
    assert by_ids.changes == [bad] and by_ids.proof == {"tests/test_chained.py": "collected"}

    report = verify(loaded, MigrationReport([bad]), python=target)
    assert report.changes == []
    assert report.outcome_changes["tests/test_chained.py"] == [
        ("tests/test_chained.py::TestChained::test_chained", "passed", "failed")]
    assert "TestChained::test_chained passed -> failed" in report.rejected["tests/test_chained.py"]
    assert report.target["executable"] == target.executable

    honest = FileChange.of("tests/test_chained.py", CHAINED.encode(), CHAINED_HONEST.encode(), {"CANON301"})
    report = verify(loaded, MigrationReport([honest]), python=target)
    assert report.changes == [honest] and report.proof == {"tests/test_chained.py": "outcomes"}
    assert report.rejected == {} and report.flaky == []
    assert (root / "tests" / "test_chained.py").read_text() == CHAINED  # verify never writes


REBASED_FILES = {
    "app/__init__.py": "",
    "app/config.py": ("import os\n\n\ndef configure():\n"
                      "    os.environ.setdefault('CANON_REBASED_MODE', 'test')\n"
                      "    return os.environ['CANON_REBASED_MODE']\n"),
    "tests/test_config.py": ("import unittest\n\nfrom app.config import configure\n\n\n"
                             "class TestConfig(unittest.TestCase):\n    def test_mode(self):\n"
                             "        self.assertEqual(configure(), 'test')\n"),
    "tests/test_plain.py": ("import os\nimport unittest\n\n\nclass TestPlain(unittest.TestCase):\n"
                            "    def test_home(self):\n"
                            "        self.assertIsNone(os.getenv('CANON_NO_SUCH_VARIABLE'))\n"),
}


def test_a_rebase_whose_code_under_test_writes_os_environ_is_never_written_failing(
        tmp_path: Path, pytest_venv: Path) -> None:
    """The re-base as planned makes test_mode fail (the base's os.environ check sees what the code
    under test wrote): outcome verification refuses that form, and the form that warns instead,
    which keeps the outcome, is what is written, with a note naming the variable and the test."""
    root = project(tmp_path / "p", REBASED_FILES)
    result = run_canon("migrate", "--python", str(pytest_venv), "--format", "json", cwd=root, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["verify"] == "outcomes" and report["target"]["executable"].startswith(str(pytest_venv))
    assert report["rejected"] == {}
    assert report["proof"] == {"tests/test_config.py": "outcomes", "tests/test_plain.py": "outcomes"}
    config = next(change for change in report["changed"] if change["path"] == "tests/test_config.py")
    assert any(note.startswith('on_environ_change = "warn" on TestConfig: the code under test writes '
                               "os.environ (CANON_REBASED_MODE), so under the failing check "
                               "tests/test_config.py::TestConfig::test_mode went passed -> failed")
               for note in config["notes"])
    written = (root / "tests/test_config.py").read_text()
    assert "class TestConfig(SSotBaseTestCase):\n    on_environ_change = \"warn\"  # the code under test " \
           "writes os.environ (CANON_REBASED_MODE)\n" in written
    assert b"SSotBaseTestCase" in (root / "tests/test_plain.py").read_bytes()
    # the written files really pass in the project's own environment, with testcanon put beside it
    # as an adopting team's test dependency, and the variable does not outlive the test
    (root / "tests/test_after.py").write_text(
        "import os\n\n\ndef test_zz_after():\n    assert 'CANON_REBASED_MODE' not in os.environ\n")
    src = Path(__file__).resolve().parents[2] / "src"
    done = subprocess.run([str(pytest_venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:randomly",
                           "-p", "no:cacheprovider", "tests/test_plain.py", "tests/test_config.py",
                           "tests/test_after.py"],
                          cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)}, timeout=300)
    assert "3 passed" in done.stdout, done.stdout + done.stderr
    assert "test changed os.environ directly: CANON_REBASED_MODE" in done.stdout  # warned, not hidden


FLAKY = """\
from pathlib import Path

COUNTER = Path({counter!r})


def test_flaky():
    runs = int(COUNTER.read_text()) if COUNTER.exists() else 0
    COUNTER.write_text(str(runs + 1))
    assert runs == 0  # passes on its first run only


def test_steady():
    assert True
"""


def test_a_flaky_test_is_reported_and_not_counted(tmp_path: Path) -> None:
    source = FLAKY.format(counter=str(tmp_path / "counter"))
    root = project(tmp_path / "p", {"tests/test_flaky.py": source})
    change = FileChange.of("tests/test_flaky.py", source.encode(), (source + "# migrated\n").encode(),
                           {"CANON301"})
    report = verify(load_project(root), MigrationReport([change]))
    # passed, then failed, before the change (flaky); failed after: not counted against the change
    assert report.flaky == ["tests/test_flaky.py::test_flaky"]
    assert report.changes == [change] and report.proof == {"tests/test_flaky.py": "outcomes"}
    assert int((tmp_path / "counter").read_text()) == 3  # two runs before, one after


def test_a_run_that_times_out_falls_back_to_collected_ids_and_says_so(tmp_path: Path) -> None:
    slow = "import time\n\n\ndef test_slow():\n    time.sleep(60)\n"
    root = project(tmp_path / "p", {"tests/test_slow.py": slow},
                   "[tool.testcanon.migrate]\ntest_timeout = 3\n")
    change = FileChange.of("tests/test_slow.py", slow.encode(), (slow + "# migrated\n").encode(),
                           {"CANON301"})
    report = verify(load_project(root), MigrationReport([change]))
    assert report.verify_fallback == "the test run timed out after 3 s"
    assert report.changes == [change] and report.proof == {"tests/test_slow.py": "collected"}
    result = run_canon("migrate", "--format", "json", cwd=write_tree(root, {"tests/test_env.py": (
        "import os\nimport time\n\n\ndef test_env():\n    time.sleep(60)\n"
        "    assert os.getenv('CANON_NO_SUCH') is None\n")}), timeout=300)
    report_json = json.loads(result.stdout)
    assert report_json["verify_fallback"] == "the test run timed out after 3 s"
    assert report_json["proof"] == {"tests/test_env.py": "collected"}


def test_static_level_runs_nothing_and_says_so_per_file(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"tests/test_env.py": (
        "import os\n\n\ndef test_env():\n    assert os.getenv('CANON_NO_SUCH') is None\n")})
    result = run_canon("migrate", "--verify", "static", "--format", "json", cwd=root, timeout=300)
    report = json.loads(result.stdout)
    assert report["proof"] == {"tests/test_env.py": "static"} and report["test_seconds"] == 0
    assert report["collection_seconds"] == 0 and report["verified_statically"] == 1
    bad = run_canon("migrate", "--verify", "everything", cwd=root)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_the_sandbox_runs_in_the_copy_through_the_runner_and_never_calls_a_dead_run_green(
        tmp_path: Path, pytest_venv: Path) -> None:
    # the run that verification reads is the runner's (results shim, process group, session
    # check) in a venv without testcanon, where the real isolated_env fixture is loaded by -p
    from testcanon.migrate.sandbox import sandbox

    root = project(tmp_path / "p", {
        "tests/test_a.py": ("def test_writes(isolated_env):\n    isolated_env.set('CANON_SANDBOX', '1')\n"
                            "    open('written.txt', 'w').write('x')\n"),
        "tests/test_dies.py": "import os\n\nos._exit(0)\n"})
    target = resolve_python(root, cli=str(pytest_venv))
    with sandbox(load_project(root), target) as box:
        ran = box.run(["tests/test_a.py"], 120)
        assert (ran.failure, ran.outcomes) == (None, {"tests/test_a.py::test_writes": "passed"})
        assert (box.copy / "written.txt").exists() and not (root / "written.txt").exists()
        dead = box.run(["tests/test_dies.py"], 120)
        assert dead.failure is not None and dead.failure.startswith(
            "pytest ended without finishing its session (exit 0)"), dead.failure
        box.put("tests/test_a.py", b"def test_writes():\n    assert False\n")
        assert box.run(["tests/test_a.py"], 120).outcomes == {"tests/test_a.py::test_writes": "failed"}
    assert (root / "tests" / "test_a.py").read_text().startswith("def test_writes(isolated_env)")
