"""`PlannedWrite` is the one form a command hands a write to the journal: applied with
compare-and-swap against the bytes it read, a new file only where none exists, undone byte for
byte, and shown as the diff git would print."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from testcanon.journal import Journal, PlannedWrite


def test_apply_writes_creates_and_undo_restores(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"old\n")
    writes = [PlannedWrite(Path("a.py"), b"old\n", b"new\n", "edit"),
              PlannedWrite(tmp_path / "docs" / "NEW.md", None, b"# new\n", "created")]
    with Journal(tmp_path).start("canon test") as run:
        assert run.apply(writes) == []
    assert (tmp_path / "a.py").read_bytes() == b"new\n"
    assert (tmp_path / "docs" / "NEW.md").read_bytes() == b"# new\n"
    Journal(tmp_path).undo()
    assert (tmp_path / "a.py").read_bytes() == b"old\n"
    assert not (tmp_path / "docs" / "NEW.md").exists()


def test_a_file_changed_since_it_was_read_is_skipped_under_the_path_given(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"edited meanwhile\n")
    (tmp_path / "b.py").write_bytes(b"old\n")
    (tmp_path / "c.py").write_bytes(b"exists now\n")
    writes = [PlannedWrite(Path("a.py"), b"old\n", b"new\n"), PlannedWrite(Path("b.py"), b"old\n", b"new\n"),
              PlannedWrite(Path("c.py"), None, b"new\n")]
    with Journal(tmp_path).start("canon test") as run:
        skipped = run.apply(writes)
    assert sorted(item.path for item in skipped) == [Path("a.py"), Path("c.py")]
    assert (tmp_path / "a.py").read_bytes() == b"edited meanwhile\n"
    assert (tmp_path / "b.py").read_bytes() == b"new\n"
    assert (tmp_path / "c.py").read_bytes() == b"exists now\n"


def test_diff_and_changed() -> None:
    edit = PlannedWrite(Path("tests/test_a.py"), b"x = 1\n", b"x = 2\n")
    assert edit.changed and not PlannedWrite(Path("a"), b"same", b"same").changed
    assert edit.diff().splitlines()[:2] == ["--- a/tests/test_a.py", "+++ b/tests/test_a.py"]
    created = PlannedWrite(Path("/abs/docs/T.md"), None, b"hi")
    assert created.diff("docs/T.md").splitlines() == [
        "--- /dev/null", "+++ b/docs/T.md", "@@ -0,0 +1 @@", "+hi", "\\ No newline at end of file"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        edit.after = b""  # type: ignore[misc]
