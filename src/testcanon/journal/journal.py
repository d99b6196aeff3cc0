"""Every write testcanon makes to a user's file goes through here.

Before a file is replaced, its original bytes and mode bits are copied under
`.testcanon/journal/<run>/` and the run's manifest records the change; then the new content
replaces the file atomically. `undo` puts back exactly what was there (or removes a file the
run created), and refuses, naming the files, when someone changed them after the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from testcanon.errors import JournalError
from testcanon.state import atomic_write_bytes, state_dir

MANIFEST = "manifest.json"
WAL = "entries.jsonl"  # appended before each write; folded into the manifest when the run closes
FORMAT = 1


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Entry:
    """One file a run changed."""

    path: str
    existed: bool
    mode: int | None
    backup: str | None
    old_sha: str | None
    new_sha: str
    created_dirs: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RunInfo:
    """A journalled run as `canon undo --list` shows it."""

    id: str
    command: str
    created: float
    status: str
    entries: list[Entry] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "id": self.id, "command": self.command,
                "created": self.created, "status": self.status,
                "entries": [entry.to_json() for entry in self.entries]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunInfo:
        return cls(id=data["id"], command=data["command"], created=data["created"],
                   status=data["status"], entries=[Entry(**e) for e in data["entries"]])


class JournalRun:
    """An open run: call `write` for each file, then `close` (or use it as a context manager)."""

    def __init__(self, journal: Journal, info: RunInfo) -> None:
        self._journal = journal
        self.info = info
        self._by_path = {entry.path: entry for entry in info.entries}
        self._wal: IO[str] | None = None

    @property
    def directory(self) -> Path:
        return self._journal.directory / self.info.id

    def write(self, path: Path, data: bytes) -> None:
        """Replace `path` with `data` atomically, keeping its mode, after backing it up."""
        absolute = path if path.is_absolute() else self._journal.root / path
        relpath = os.path.relpath(absolute, self._journal.root)
        entry = self._by_path.get(relpath)
        if entry is None:
            entry = self._backup(absolute, relpath)
            self._by_path[relpath] = entry
            self.info.entries.append(entry)
        entry.new_sha = _sha(data)
        self._log(entry)  # the journal names the backup before the user's file changes
        atomic_write_bytes(absolute, data, mode=entry.mode)

    def _log(self, entry: Entry) -> None:
        """Append the entry to the run's write-ahead log (rewriting the whole manifest before
        every file made a run of n files cost n^2: 8 s for 755 files)."""
        if self._wal is None:
            self._save()  # the run exists (and is listed) from its first write on
            self._wal = (self.directory / WAL).open("a", encoding="utf-8")
        self._wal.write(json.dumps(entry.to_json()) + "\n")
        self._wal.flush()
        os.fsync(self._wal.fileno())

    def _backup(self, absolute: Path, relpath: str) -> Entry:
        try:
            original = absolute.read_bytes()
            mode = stat.S_IMODE(absolute.stat().st_mode)
        except FileNotFoundError:
            missing = [parent for parent in absolute.parents
                       if parent.is_relative_to(self._journal.root) and not parent.exists()]
            created = [os.path.relpath(parent, self._journal.root) for parent in missing]
            return Entry(relpath, existed=False, mode=None, backup=None, old_sha=None, new_sha="",
                         created_dirs=created)
        except OSError as exc:
            raise JournalError(f"{relpath}: cannot back up before writing: {exc}") from None
        backup = f"files/{len(self.info.entries)}"
        atomic_write_bytes(self.directory / backup, original)
        return Entry(relpath, existed=True, mode=mode, backup=backup,
                     old_sha=_sha(original), new_sha="")

    def _save(self) -> None:
        data = json.dumps(self.info.to_json(), indent=1).encode()
        atomic_write_bytes(self.directory / MANIFEST, data)

    def close(self) -> None:
        if self._wal is not None:
            self._wal.close()
            self._wal = None
        if self.info.entries:
            self.info.status = "done"
            self._save()  # now complete: the log is no longer needed
            (self.directory / WAL).unlink(missing_ok=True)
        else:
            _remove_tree(self.directory)

    def __enter__(self) -> JournalRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Journal:
    """The journal of a project root: start runs, list them, undo them."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.directory = self.root / ".testcanon" / "journal"

    def start(self, command: str) -> JournalRun:
        state_dir(self.root)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime())
        self.directory.mkdir(parents=True, exist_ok=True)
        suffix = 0
        while (self.directory / f"{stamp}-{suffix:03d}").exists():
            suffix += 1
        info = RunInfo(id=f"{stamp}-{suffix:03d}", command=command, created=time.time(),
                       status="open")
        (self.directory / info.id).mkdir()
        return JournalRun(self, info)

    def runs(self) -> list[RunInfo]:
        """All runs with at least one change, oldest first."""
        if not self.directory.is_dir():
            return []
        runs = []
        for manifest in sorted(self.directory.glob(f"*/{MANIFEST}")):
            try:
                run = RunInfo.from_json(json.loads(manifest.read_text()))
                _replay_log(run, manifest.parent / WAL)
            except (OSError, ValueError, KeyError, TypeError):
                continue
            runs.append(run)
        return runs

    def undo(self, run_id: str | None = None, *, force: bool = False) -> RunInfo:
        """Restore every file of a run (default: the newest not yet undone) exactly."""
        candidates = [run for run in self.runs() if run.status != "undone"]
        if run_id is not None:
            candidates = [run for run in candidates if run.id == run_id]
            if not candidates:
                raise JournalError(f"no run '{run_id}' to undo (see canon undo --list)")
        if not candidates:
            raise JournalError("nothing to undo: the journal has no runs left")
        run = candidates[-1]
        if not force:
            changed = [e.path for e in run.entries if _current_sha(self.root / e.path) != e.new_sha]
            if changed:
                raise JournalError(
                    f"{len(changed)} file(s) changed since run {run.id}, not undoing "
                    f"(use --force to overwrite): {', '.join(changed[:5])}"
                )
        directory = self.directory / run.id
        for entry in reversed(run.entries):
            target = self.root / entry.path
            if not entry.existed:
                target.unlink(missing_ok=True)
                for directory_name in entry.created_dirs:  # innermost first
                    try:
                        (self.root / directory_name).rmdir()
                    except OSError:
                        break  # not empty any more: something else lives there now
                continue
            original = (directory / str(entry.backup)).read_bytes()
            if _sha(original) != entry.old_sha:
                raise JournalError(f"{entry.path}: backup in {directory} is damaged; not restored")
            atomic_write_bytes(target, original, mode=entry.mode)
        run.status = "undone"
        atomic_write_bytes(directory / MANIFEST, json.dumps(run.to_json(), indent=1).encode())
        return run


def _replay_log(run: RunInfo, log: Path) -> None:
    """A run that ended without closing (a crash, a kill) has entries only in its log."""
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    by_path = {entry.path: entry for entry in run.entries}
    for line in lines:
        try:
            entry = Entry(**json.loads(line))
        except (ValueError, TypeError):
            break  # a line cut short by the crash: its file was not written yet
        if entry.path not in by_path:
            run.entries.append(entry)
        else:
            run.entries[run.entries.index(by_path[entry.path])] = entry
        by_path[entry.path] = entry


def _current_sha(path: Path) -> str | None:
    try:
        return _sha(path.read_bytes())
    except OSError:
        return ""


def _remove_tree(directory: Path) -> None:
    for child in sorted(directory.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    directory.rmdir()
