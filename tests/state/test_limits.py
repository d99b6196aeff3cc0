"""Per-file time and memory budgets, and workers that die with their parent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from canon_support import write_tree
from testcanon.limits import Budget, OverBudget, bounded, worker_pool


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def _allocate(mib: int) -> int:
    blocks = [bytearray(1024 * 1024) for _ in range(mib)]
    return len(blocks)


def _fail() -> None:
    raise ValueError("from the child")


def test_a_result_comes_back() -> None:
    assert bounded(Budget(10, 256), _sleep, 0) == "done"
    assert bounded(Budget(10, 256), _allocate, 16) == 16


def test_time_over_budget_is_a_verdict_not_a_hang() -> None:
    started = time.monotonic()
    result = bounded(Budget(0.5, 256), _sleep, 30)
    assert isinstance(result, OverBudget) and result.reason == "time"
    assert time.monotonic() - started < 10


def _spin(seconds: float) -> str:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "done"


def test_the_time_budget_is_cpu_seconds_so_a_loaded_machine_does_not_cost_a_file_its_repair() -> None:
    # waiting (for a CPU another process holds, here: asleep) is not spending the budget ...
    assert bounded(Budget(1, 256), _sleep, 2) == "done"
    # ... computing is, and is stopped by the kernel's CPU limit, well before the wall backstop
    started = time.monotonic()
    result = bounded(Budget(1, 256), _spin, 30)
    assert isinstance(result, OverBudget) and result.reason == "time"
    assert "of CPU" in result.detail and time.monotonic() - started < 4


def test_memory_over_budget_is_a_verdict_not_an_oom() -> None:
    result = bounded(Budget(30, 128), _allocate, 4096)
    assert isinstance(result, OverBudget) and result.reason == "memory", result


def test_the_function_s_own_errors_are_raised_here() -> None:
    with pytest.raises(ValueError, match="from the child"):
        bounded(Budget(10, 256), _fail)


def _project(tmp_path: Path, files: dict[str, str], **settings: object) -> Path:
    table = "".join(f"{k} = {v!r}\n" for k, v in settings.items())
    return write_tree(tmp_path / "p", {"pyproject.toml": f"[project]\nname='p'\n[tool.testcanon]\n{table}",
                                       **files})


def _nested(depth: int) -> str:
    return "def test_a():\n    x = " + "[" * depth + "]" * (depth - 1) + "\n"


@pytest.mark.slow
def test_fix_gives_a_pathological_file_its_budget_and_goes_on(tmp_path: Path) -> None:
    root = _project(tmp_path, {"tests/test_deep.py": _nested(100_000),
                               "tests/test_ok.py": "def test_b():\n    assert (1\n"},
                    file_time_budget=3.0)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "testcanon", "fix", "--dry-run", "--format", "json"],
                          cwd=root, capture_output=True, text=True, timeout=170)
    assert time.monotonic() - started < 120
    verdicts = {f["path"]: f for f in json.loads(done.stdout)["files"]}
    assert "over the time budget of 3s" in verdicts["tests/test_deep.py"]["detail"]
    assert verdicts["tests/test_ok.py"]["verdict"] == "fixed-locally"


@pytest.mark.slow
def test_scan_gives_a_huge_file_a_finding_within_its_memory_budget(tmp_path: Path) -> None:
    body = "".join(f"def test_{i}():\n    assert f({i}, [1, 2])\n" for i in range(300_000))
    root = _project(tmp_path, {"tests/test_big.py": body + "def broken(:\n"},
                    max_file_size=100_000_000, file_memory_budget=64)
    done = subprocess.run([sys.executable, "-m", "testcanon", "scan", "--format", "json"],
                          cwd=root, capture_output=True, text=True, timeout=170)
    findings = json.loads(done.stdout)["findings"]
    assert [(f["code"], "memory budget of 64 MiB" in f["message"]) for f in findings] == [("CANON008", True)]


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry))
    return alive


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_canon_fix(tmp_path: Path) -> None:
    files = {f"tests/test_deep{i}.py": _nested(30_000) for i in range(4)}
    root = _project(tmp_path, files)
    process = subprocess.Popen([sys.executable, "-m", "testcanon", "fix", "--dry-run", "--jobs", "2"],
                               cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_group_alive(process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)  # the parent, its workers and their per-file children
        assert len(_group_alive(process.pid)) >= 3, "the workers never started"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _group_alive(process.pid) == []
    finally:
        for pid in _group_alive(process.pid):
            os.kill(pid, signal.SIGKILL)


def _own_pid_then_sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_an_interrupted_pool_kills_its_workers_instead_of_finishing_the_queue() -> None:
    """SIGTERM reaches canon alone: leaving a plain pool's block would first run every queued
    task (here 8 x 30 s on 2 workers)."""
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), worker_pool(2) as pool:
        futures = [pool.submit(_own_pid_then_sleep, 30) for _ in range(8)]
        workers = []
        while len(workers) < 2 and time.monotonic() - started < 20:  # both busy on a task
            workers = [p for p in (pool._processes or {}).values() if p.is_alive()]
            time.sleep(0.1)
        time.sleep(0.5)
        raise KeyboardInterrupt
    assert time.monotonic() - started < 15
    deadline = time.monotonic() + 10
    while any(_running(process.pid) for process in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(process.pid) for process in workers)
    assert all(f.cancelled() or f.done() for f in futures)


def _running(pid: int | None) -> bool:
    """Whether a process runs (a zombie does not), asked of the system: the pool's own thread
    may reap a worker first, and then `Process.is_alive` cannot tell."""
    if pid is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_a_pool_left_normally_returns_every_result() -> None:
    with worker_pool(2) as pool:
        results = list(pool.map(_sleep, [0.01] * 6))
    assert results == ["done"] * 6
