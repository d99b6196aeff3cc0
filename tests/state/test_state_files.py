"""Other state and output paths under faults: one line, exit 2, or a cache quietly skipped."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from state_support import one_line_error

from canon_support import run_canon, write_tree


def test_state_dir_being_a_file_is_one_line_for_commands_that_need_it(project: Path) -> None:
    (project / ".testcanon").write_text("in the way\n")
    done = run_canon("audit", cwd=project)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr
    assert "is not a directory" in done.stderr
    scan = run_canon("scan", cwd=project)  # a cache it cannot write is skipped
    assert scan.returncode == 0 and "Traceback" not in scan.stderr, scan.stderr


def test_the_cache_folder_being_a_file_does_not_stop_a_scan(project: Path) -> None:
    (project / ".testcanon").mkdir()
    (project / ".testcanon" / "cache").write_text("in the way\n")
    for command in ("scan", "check"):
        done = run_canon(command, cwd=project)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("content", ["[1, 2]", "\"text\"", "{\"format\": 1, \"findings\": [1]}", "nul\x00"])
def test_a_baseline_that_is_not_ours_is_one_line(project: Path, content: str) -> None:
    (project / "testcanon-baseline.json").write_text(content)
    done = run_canon("check", cwd=project)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr
    assert "not a testcanon baseline" in done.stderr


@pytest.mark.parametrize("command", [["scan", "-o", "out"], ["check", "-o", "out"],
                                     ["run", "--json", "out"], ["run", "--junit-xml", "out"]])
def test_an_output_naming_a_directory_is_refused(project: Path, command: list[str]) -> None:
    (project / "out").mkdir()
    done = run_canon(*command, cwd=project)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "is a directory" in done.stderr


def test_an_output_in_a_missing_folder_is_one_line(project: Path) -> None:
    done = run_canon("scan", "-o", "missing/report.json", "--format", "json", cwd=project)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr


@pytest.mark.parametrize("content", ["garbage", "[1]", "{\"created\": 1}",
                                     json.dumps({"created": 1, "metrics": [], "findings": [{"path": 1}]})])
def test_an_unusable_audit_snapshot_is_set_aside(project: Path, content: str) -> None:
    audits = project / ".testcanon" / "audits"
    audits.mkdir(parents=True)
    (audits / "7.json").write_text(content)
    (audits / "notes.json").write_text("{}")
    done = run_canon("report", cwd=project)
    assert "Traceback" not in done.stderr, done.stderr
    assert "not a usable audit snapshot" in done.stderr
    assert (audits / "7.json.unusable").read_text() == content


def _mount(target: Path, *options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(target)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 1 MiB tmpfs (needs the right to mount: root in a container); skipped elsewhere."""
    target = tmp_path / "disk"
    if not _mount(target, "size=1m"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_leaves_no_half_written_state(small_disk: Path) -> None:
    root = write_tree(small_disk / "p", {"pyproject.toml": "[project]\nname='p'\n",
                                         "tests/test_one.py": "def test_one():\n    pass\n"})
    fd = os.open(small_disk / "fill", os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last byte
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    for command in (["audit"], ["check", "--write-baseline"], ["perf"]):
        done = run_canon(*command, cwd=root)
        assert done.returncode == 2 and one_line_error(done.stderr), (command, done.stderr)
    leftovers = [p.name for p in (root / ".testcanon").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == [] and not (root / ".testcanon" / "baseline.json").exists()


@pytest.mark.slow
def test_a_read_only_project_is_one_line(small_disk: Path) -> None:
    root = write_tree(small_disk / "p", {"pyproject.toml": "[project]\nname='p'\n",
                                         "tests/test_one.py": "def test_one():\n    pass\n"})
    assert run_canon("audit", cwd=root).returncode in (0, 1)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in (["audit"], ["check", "--write-baseline"], ["report"]):
        done = run_canon(*command, cwd=root)
        assert done.returncode == 2 and one_line_error(done.stderr), (command, done.stderr)
    for command in (["scan"], ["check"], ["perf"]):
        done = run_canon(*command, cwd=root)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (command, done.stderr)


@pytest.mark.parametrize("content", ["[1]", '{"profiles": []}',
                                     '{"profiles": {"agent-events": {"types": [1]}}}'])
def test_damaged_event_coverage_is_skipped(project: Path, content: str) -> None:
    (project / ".testcanon").mkdir()
    (project / ".testcanon" / "event-coverage.json").write_text(content)
    done = run_canon("audit", cwd=project)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr


def test_a_state_folder_another_process_creates_at_the_same_moment_is_no_error(tmp_path, monkeypatch) -> None:
    """Three `canon` processes starting together: one creates `.testcanon/` between another's
    check and its mkdir. That is the folder wanted, not "not a directory" (a CI flake)."""
    from testcanon.state import state_dir

    (tmp_path / "pyproject.toml").write_text("")
    real_is_dir = Path.is_dir
    seen: list[Path] = []

    def racing_is_dir(self: Path) -> bool:
        if self.name == ".testcanon" and not seen:
            seen.append(self)
            self.mkdir()  # the other process wins the race
            return False
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", racing_is_dir)
    assert state_dir(tmp_path) == tmp_path / ".testcanon" and seen
