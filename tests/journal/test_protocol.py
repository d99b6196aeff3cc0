"""Journalled writes are atomic, backed up, and undone byte for byte, mode bits included."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from canon_support import run_canon
from testcanon.errors import JournalError
from testcanon.journal import Journal
from testcanon.journal.faults import set_hook


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_keeps_mode_and_undo_restores_bytes_and_mode(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_bytes(b"#!/bin/sh\r\necho old\r\n")
    script.chmod(0o751)
    with Journal(tmp_path).start("canon fix") as run:
        run.write(script, b"#!/bin/sh\necho new\n")
    assert script.read_bytes() == b"#!/bin/sh\necho new\n"
    assert _mode(script) == 0o751

    script.chmod(0o751)
    Journal(tmp_path).undo()
    assert script.read_bytes() == b"#!/bin/sh\r\necho old\r\n"
    assert _mode(script) == 0o751


def test_undo_restores_original_mode_even_if_changed_by_the_run(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_text("old")
    target.chmod(0o640)
    with Journal(tmp_path).start("x") as run:
        run.write(target, b"new")
    target.chmod(0o777)
    Journal(tmp_path).undo()
    assert (target.read_text(), _mode(target)) == ("old", 0o640)


def test_a_file_created_by_the_run_is_removed_by_undo(tmp_path: Path) -> None:
    with Journal(tmp_path).start("canon init") as run:
        run.write(tmp_path / "new" / "file.toml", b"x")
    Journal(tmp_path).undo()
    assert not (tmp_path / "new" / "file.toml").exists()


def test_several_writes_to_one_file_undo_to_the_first_original(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_text("v0")
    with Journal(tmp_path).start("x") as run:
        run.write(target, b"v1")
        run.write(target, b"v2")
    Journal(tmp_path).undo()
    assert target.read_text() == "v0"


def test_undo_goes_back_one_run_at_a_time(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_text("v0")
    journal = Journal(tmp_path)
    for version in ("v1", "v2"):
        with journal.start(f"write {version}") as run:
            run.write(target, version.encode())
    journal.undo()
    assert target.read_text() == "v1"
    journal.undo()
    assert target.read_text() == "v0"
    with pytest.raises(JournalError, match="nothing to undo"):
        journal.undo()


def test_undo_refuses_when_the_file_changed_since_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_text("v0")
    journal = Journal(tmp_path)
    with journal.start("x") as run:
        run.write(target, b"v1")
    target.write_text("edited by a human")
    with pytest.raises(JournalError, match="changed since run"):
        journal.undo()
    assert target.read_text() == "edited by a human"
    journal.undo(force=True)
    assert target.read_text() == "v0"


def test_backup_and_intent_are_durable_before_the_user_file_changes(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_text("original")
    seen: list[tuple[str, bytes, str]] = []

    def at_step(step: str) -> None:
        if step == "intent":
            run_dir = next((tmp_path / ".testcanon" / "journal").iterdir())
            seen.append((target.read_text(), (run_dir / "files" / "0").read_bytes(),
                         (run_dir / "entries.jsonl").read_text()))

    set_hook(at_step)
    try:
        with Journal(tmp_path).start("x") as run:
            run.write(target, b"new")
    finally:
        set_hook(None)
    [(text, backup, log)] = seen
    assert (text, backup) == ("original", b"original")
    assert json.loads(log.splitlines()[0])["op"] == "intent"
    assert target.read_text() == "new"


def test_a_run_without_writes_leaves_no_trace(tmp_path: Path) -> None:
    with Journal(tmp_path).start("noop"):
        pass
    assert Journal(tmp_path).runs() == []


def test_cli_undo_list_and_undo(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    target = tmp_path / "a.py"
    target.write_text("v0")
    with Journal(tmp_path).start("canon fix a.py") as run:
        run.write(target, b"v1")
    listing = run_canon("undo", "--list", cwd=tmp_path)
    assert listing.returncode == 0 and "canon fix a.py" in listing.stdout
    result = run_canon("undo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "v0"
    again = run_canon("undo", cwd=tmp_path)
    assert again.returncode == 2 and "nothing to undo" in again.stderr
