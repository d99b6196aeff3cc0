"""`PlannedWrite`: one write testcanon means to make to a user's file, the single form in which
fix, migrate, init and resurrection hand their work to the journal (`JournalRun.apply`) and to
`--dry-run` (`diff`). It lives in the journal package, the lowest layer that consumes it, so
every producer can import it without importing up a layer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlannedWrite:
    """The bytes a command read (`before`; None: the file does not exist yet), the bytes it would
    write (`after`) and why. The journal writes `after` only while the file still holds `before`
    (compare and swap), so a file edited meanwhile is reported, never overwritten.
    `path`: relative to the project root, or absolute (a project's files are named as given)."""

    path: Path
    before: bytes | None
    after: bytes
    why: str = ""

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, name: str | None = None) -> str:
        """The unified diff git would print, naming the file `name` (default: `path`); a file
        that does not exist yet is diffed against /dev/null."""
        from testcanon.output.diff import unified

        return unified(self.before or b"", self.after, name or self.path.as_posix(),
                       old_path=None if self.before is not None else "/dev/null")
