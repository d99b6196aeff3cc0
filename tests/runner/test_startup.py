"""What `canon run` does before the project's pytest starts is time it adds to the project's own
invocation: the text renderer (rich) is imported while the tests run, not before."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from testcanon.runner.process import run_bounded

PROBE = """
import subprocess, sys
seen = []
original = subprocess.Popen.__init__
def spy(self, args, *rest, **options):
    if "pytest" in args:
        seen.append(sorted({m.split('.')[0] for m in sys.modules} & {"rich", "pydantic"}))
    original(self, args, *rest, **options)
subprocess.Popen.__init__ = spy
sys.argv = ["canon", "run", "--serial"]
from testcanon.entry import main
try:
    main()
except SystemExit as exit:
    sys.stderr.write(f"exit {exit.code} loaded at pytest's start: {seen}")
"""


def test_the_tests_start_before_rich_is_imported(tmp_path: Path) -> None:
    # named as the project's interpreter (the fallback to canon's own prints a note, with rich)
    (tmp_path / "pyproject.toml").write_text(f"[tool.testcanon]\npython = {str(sys.executable)!r}\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_a():\n    assert True\n")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert "1 passed" in result.stdout  # the summary was printed: rich came in after all
    assert result.stderr.endswith("exit 0 loaded at pytest's start: [[]]"), result.stderr


def test_while_running_runs_while_the_child_runs(tmp_path: Path) -> None:
    called: list[float] = []
    started = time.perf_counter()
    finished = run_bounded([sys.executable, "-c", "import time; time.sleep(1)"], cwd=tmp_path, env={},
                           timeout=30, while_running=lambda: called.append(time.perf_counter() - started))
    assert finished.returncode == 0 and len(called) == 1
    assert called[0] < finished.seconds - 0.5  # long before the child ended


def test_while_running_has_finished_when_the_child_is_ended(tmp_path: Path) -> None:
    """A Ctrl-C or a timeout ends the child; the helper thread must not be left mid-import while
    the interpreter exits (finalization can wait on an import lock it holds, forever)."""
    finished: list[float] = []

    def slow_helper() -> None:
        time.sleep(1.0)
        finished.append(time.perf_counter())

    done = run_bounded([sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path, env={},
                       timeout=0.2, while_running=slow_helper)
    assert done.timed_out
    assert finished, "run_bounded returned while its helper was still running"
