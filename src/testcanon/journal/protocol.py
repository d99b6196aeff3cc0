"""The write protocol: how a run changes a user's files with a database's guarantees.

A run holds the project's lock (`lock.py`) from `start` to `close`. `write_all` then, for the
whole batch: (1) reads each file, refuses it if it is not what the caller read (compare and swap:
edits made meanwhile are never overwritten) or if it lies outside the project, and copies its
bytes under `files/<n>`; (2) once the backups are durable, appends an *intent* per file to
`entries.jsonl` and fsyncs it, before any user file is touched; (3) writes the new bytes to
temporary siblings with each file's mode and owner and makes them durable; (4) per file, checks
once more that it did not change, then renames the temporary file over it (a hard-linked file,
or one whose owner a new file cannot get, is rewritten in its own inode instead; a symlink is
written through to its target and stays a link); (5) records the entry as applied. `close`
folds the log into `manifest.json`. A kill at any point leaves a run that `recovery.py`
completes on the next command, so `canon undo` finds every applied file with its backup. An
OSError (a full disk, an immutable file) puts back what the run wrote and raises a one-line
`JournalError`.

Why one module past 400 lines: the steps of one write (intent, backup, temp, replace, fsync,
compare-and-swap) and their rollback are one protocol; a reader checks it in one place.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from testcanon.errors import JournalError
from testcanon.journal import fsio
from testcanon.journal.faults import fault
from testcanon.journal.manifest import (
    BadJournal,
    Entry,
    RunInfo,
    check_relpath,
    inside,
)

if TYPE_CHECKING:
    from testcanon.journal.planned import PlannedWrite
    from testcanon.journal.store import Journal

MANIFEST = "manifest.json"
WAL = "entries.jsonl"
ANY: Any = object()  # `expected` meaning: whatever is there now (no compare-and-swap)

# Runs open in this process: recovery must not mistake them for interrupted ones.
LIVE: set[str] = set()


@dataclass(frozen=True)
class Skipped:
    """A file a run did not write, and why (it changed since it was read, it lies outside...)."""

    path: Path
    reason: str


@dataclass
class _Pending:
    index: int
    entry: Entry
    real: Path
    data: bytes
    seen: fsio.Seen | None
    read_sha: str | None
    given: Path
    owner: tuple[int, int] | None
    previous: Entry | None = None  # the entry of an earlier write of this file in this run


class JournalRun:
    """An open run: `write`/`write_all` the files, then `close` (or use it as a context manager)."""

    def __init__(self, journal: Journal, info: RunInfo, stack: ExitStack) -> None:
        self._journal = journal
        self.info = info
        self._stack = stack
        self._entries: dict[int, Entry] = {}
        self._by_target: dict[str, int] = {}
        self._applied: set[int] = set()
        self._next_index = 0
        self._temps: set[Path] = set()
        self._wal: IO[str] | None = None
        self._closed = False
        self.skipped: list[Skipped] = []

    @property
    def directory(self) -> Path:
        return self._journal.directory / self.info.id

    # -- writing ---------------------------------------------------------------------------

    def write(self, path: Path, data: bytes, *, expected: bytes | None = ANY) -> bool:
        """Write one file; False (and a `skipped` record) when it was not written.
        `expected`: the bytes the caller read (None: the file must not exist yet)."""
        return not self.write_all([(path, data, expected)])

    def apply(self, writes: Iterable[PlannedWrite]) -> list[Skipped]:
        """Write a batch of planned writes (see `write_all`); a skipped file keeps the path its
        write gave."""
        return self.write_all((w.path, w.after, w.before) for w in writes)

    def write_all(self, items: Iterable[tuple[Path, bytes, bytes | None]]) -> list[Skipped]:
        """Write a batch of (path, new bytes, bytes the caller read); returns the files not
        written, which the caller reports. Each phase is made durable for the whole batch at
        once (one syncfs where Linux has it), in the order the module docstring gives."""
        if self._closed:
            raise JournalError("internal: write to a closed journal run")
        pending: list[_Pending] = []
        batch: set[str] = set()  # targets already in this batch
        skipped: list[Skipped] = []
        current: Path | None = None
        try:
            for path, data, expected in items:
                current = path
                outcome = self._prepare(path, data, expected, batch)
                if isinstance(outcome, Skipped):
                    skipped.append(outcome)
                elif outcome is not None:
                    pending.append(outcome)
                    batch.add(outcome.entry.target)
            ready, backups = [], []
            for item in pending:  # (1) backups
                current = item.given
                backup = self._backup(item)
                if backup is False:
                    skipped.append(Skipped(item.given, "changed since it was read: not overwritten"))
                    continue
                ready.append(item)
                if isinstance(backup, Path):
                    backups.append(backup)
            pending = ready
            if not pending:
                self.skipped += skipped
                return skipped
            fsio.make_durable(backups)
            fsio.fsync_dir(self.directory / "files")
            self._log([{"op": "intent", "index": p.index, "entry": p.entry.to_json(),
                        "prev": p.previous.new_sha if p.previous else None} for p in pending],
                      sync=True)  # (2) intents, durable before any user file changes
            fault("intent")
            for item in pending:  # (3) new bytes in temporary siblings
                current = item.given
                self._stage(item)
            fsio.make_durable(self._temps)
            synced: set[Path] = set()
            for item in pending:  # (4) compare once more, then swap
                current = item.given
                reason = self._apply(item)
                if reason:
                    if item.previous is not None:
                        self._entries[item.index] = item.previous  # its earlier write stands
                    skipped.append(Skipped(item.given, reason))
                    self._log([{"op": "skipped", "index": item.index}], sync=False)
                    continue
                synced.add(item.real.parent)
                self._log([{"op": "applied", "index": item.index}], sync=False)  # (5)
                fault("applied")
            for directory in synced:
                fsio.fsync_dir(directory)
            self._sync_log()
        except OSError as exc:
            self._fail(current, exc)
        self.skipped += skipped
        return skipped

    def _relpath(self, path: Path) -> tuple[str, Path]:
        """The project-relative name of `path` and the real file behind it."""
        root = self._journal.root
        absolute = Path(os.path.abspath(path if path.is_absolute() else root / path))
        if not inside(root, str(absolute)):
            absolute = Path(os.path.realpath(absolute.parent)) / absolute.name
        if not inside(root, str(absolute)) or absolute == root:
            raise BadJournal("outside the project")
        relpath = os.path.relpath(absolute, root)
        check_relpath(relpath)
        real = Path(os.path.realpath(absolute))
        if not inside(root, str(real)):
            raise BadJournal(f"leads outside the project (to {real})")
        check_relpath(os.path.relpath(real, root), "target")
        return relpath, real

    def _prepare(self, path: Path, data: bytes, expected: bytes | None,
                 batch: set[str]) -> _Pending | Skipped | None:
        try:
            relpath, real = self._relpath(path)
        except BadJournal as exc:
            return Skipped(path, f"not written: {exc}")
        target = os.path.relpath(real, self._journal.root)
        absolute = self._journal.root / relpath
        link = os.readlink(absolute) if absolute.is_symlink() else None
        if link is not None and not real.exists():
            return Skipped(path, "not written: a symbolic link to a missing file")
        try:
            found = fsio.read_regular(real)
        except IsADirectoryError:
            return Skipped(path, "not written: not a regular file")
        if expected is not ANY:
            now = None if found is None else found[0]
            if now != expected:
                what = "created" if expected is None else "deleted" if now is None else "changed"
                return Skipped(path, f"{what} since it was read: not overwritten")
        if found is not None and found[0] == data:
            return None  # already what the caller wants
        known = self._by_target.get(target)
        if target in batch:
            return Skipped(path, "not written: named twice in one batch")
        if known is None:
            index, self._next_index = self._next_index, self._next_index + 1
        else:
            index = known
        if found is None:
            entry = Entry(path=relpath, target=target, link=link, existed=False, mode=fsio.default_mode(),
                          backup=None, old_sha=None, new_sha=fsio.sha(data),
                          created_dirs=self._missing_dirs(real))
            seen, owner = None, None
        else:
            original, status = found
            inplace = status.st_nlink > 1 or not fsio.can_give(status)
            entry = Entry(path=relpath, target=target, link=link, existed=True,
                          mode=stat.S_IMODE(status.st_mode), uid=status.st_uid, gid=status.st_gid,
                          inplace=inplace, backup=f"files/{index}", old_sha=fsio.sha(original),
                          new_sha=fsio.sha(data))
            seen = fsio.Seen.of(status)
            owner = None if fsio.same_owner(status) else (status.st_uid, status.st_gid)
            if known is not None:  # written before in this run: the first original stays the backup
                first = self._entries[known]
                entry.backup, entry.old_sha, entry.existed = first.backup, first.old_sha, first.existed
                entry.created_dirs = first.created_dirs
                if not first.existed:
                    entry.backup, entry.old_sha = None, None
        return _Pending(index, entry, real, data, seen, None if found is None else fsio.sha(found[0]),
                        path, owner, self._entries.get(known) if known is not None else None)

    def _missing_dirs(self, real: Path) -> list[str]:
        missing = [parent for parent in real.parents
                   if inside(self._journal.root, str(parent)) and parent != self._journal.root
                   and not parent.exists()]
        return [os.path.relpath(parent, self._journal.root) for parent in missing]  # innermost first

    def _backup(self, item: _Pending) -> Path | bool:
        """Copy the original under files/<n> (made durable with its batch); the backup's path,
        True when there is nothing to back up, False if the file changed since it was read."""
        found = fsio.read_regular(item.real)
        if (None if found is None else fsio.sha(found[0])) != item.read_sha:
            return False
        backup: Path | bool = True
        if item.index not in self._entries and found is not None:
            (self.directory / "files").mkdir(exist_ok=True)
            backup = self.directory / str(item.entry.backup)
            fsio.remove_quietly(backup)
            fsio.write_new(backup, found[0], 0o600, sync=False)
            fault("backup")
        self._entries[item.index] = item.entry
        self._by_target[item.entry.target] = item.index
        return backup

    def _stage(self, item: _Pending) -> None:
        """Create missing folders and write the new bytes to the temporary sibling."""
        entry = item.entry
        for name in reversed(entry.created_dirs):
            (self._journal.root / name).mkdir(exist_ok=True)
        if entry.inplace:
            return
        temporary = fsio.temp_name(item.real, self.info.id, item.index)
        fsio.remove_quietly(temporary)
        self._temps.add(temporary)
        mode = entry.mode if entry.mode is not None else fsio.default_mode()
        fsio.write_new(temporary, item.data, mode, owner=item.owner, step="temp.partial", sync=False)
        fault("temp")

    def _apply(self, item: _Pending) -> str:
        """Swap the new bytes in; the reason when the file changed meanwhile, else ''. On an
        OSError a file being rewritten in place gets its original bytes back."""
        entry, real = item.entry, item.real
        temporary = fsio.temp_name(real, self.info.id, item.index)
        changed = self._changed_since_read(item)
        if changed:
            self._drop(temporary)
            return changed
        if entry.inplace:
            self._rewrite(item)
        elif entry.existed or item.index in self._applied:
            os.replace(temporary, real)
        else:
            _create_from(temporary, real)
        self._drop(temporary, exists=False)
        self._applied.add(item.index)
        fault("replace")
        return ""

    def _drop(self, temporary: Path, *, exists: bool = True) -> None:
        if exists:
            fsio.remove_quietly(temporary)
        self._temps.discard(temporary)

    def _rewrite(self, item: _Pending) -> None:
        try:
            fsio.rewrite_in_place(item.real, item.data, step="inplace.partial")
        except OSError:
            original = fsio.read_regular(self.directory / str(item.entry.backup))
            if original is not None and item.index not in self._applied:
                fsio.rewrite_in_place(item.real, original[0])  # a short rewrite fits where the original was
            raise

    def _changed_since_read(self, item: _Pending) -> str:
        if item.seen is None:
            return ("created by someone else during the run: not overwritten" if os.path.lexists(item.real)
                    else "")
        try:
            status = os.stat(item.real)
        except FileNotFoundError:
            return "deleted during the run: not written"
        if fsio.Seen.of(status) == item.seen:
            return ""
        if fsio.current_sha(item.real) != item.read_sha:
            return "changed during the run: not overwritten"
        return ""

    # -- the log and the manifest ----------------------------------------------------------

    def _log(self, records: list[dict[str, Any]], *, sync: bool) -> None:
        if self._wal is None:
            self._wal = (self.directory / WAL).open("a", encoding="utf-8")
        self._wal.write("".join(json.dumps(record) + "\n" for record in records))
        self._wal.flush()
        if sync:
            os.fsync(self._wal.fileno())

    def _sync_log(self) -> None:
        if self._wal is not None:
            self._wal.flush()
            os.fsync(self._wal.fileno())

    def _final_entries(self) -> list[Entry]:
        return [self._entries[index] for index in sorted(self._applied)]

    def _fail(self, path: Path | None, exc: OSError) -> None:
        """An OSError mid-run: put back what this run wrote, then say so in one line."""
        from testcanon.journal.undo import rollback

        name = os.path.relpath(path, self._journal.root) if path is not None else "the journal"
        why = exc.strerror or str(exc)
        self.info.entries = self._final_entries()
        self._closed = True
        for temporary in self._temps:
            fsio.remove_quietly(temporary)
        try:
            if self._wal is not None:
                self._wal.close()
                self._wal = None
            left = rollback(self._journal.root, self.directory, self.info)
        except OSError:
            left = len(self.info.entries)
        try:
            if left == 0:
                _remove_tree(self.directory)
                done = "nothing was changed"
            else:
                self.info.status = "failed"
                self._save()
                (self.directory / WAL).unlink(missing_ok=True)
                done = (f"{left} file(s) already written could not be put back now: "
                        f"`canon undo {self.info.id}` restores them")
        except OSError:
            done = "the journal keeps the run open; the next canon command completes it"
        finally:
            self._release()
        raise JournalError(f"cannot write {name}: {why}; {done}") from None

    def _save(self) -> None:
        fsio.atomic_write(self.directory / MANIFEST, json.dumps(self.info.to_json(), indent=1).encode())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self._wal is not None:
                self._wal.close()
                self._wal = None
            self.info.entries = self._final_entries()
            self.info.skipped = [{"path": str(s.path), "reason": s.reason} for s in self.skipped]
            if self.info.entries:
                self.info.status = "done"
                self._save()
                fault("close.manifest")
                (self.directory / WAL).unlink(missing_ok=True)
                fsio.fsync_dir(self.directory)
            else:
                _remove_tree(self.directory)
        except OSError as exc:
            raise JournalError(f"cannot close journal run {self.info.id}: {exc.strerror or exc}; "
                               "the next canon command completes it") from None
        finally:
            self._release()

    def _release(self) -> None:
        LIVE.discard(str(self.directory))
        self._stack.close()

    def __enter__(self) -> JournalRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _create_from(temporary: Path, real: Path) -> None:
    """Move a temporary file to a name that must still be free (hard link, else rename)."""
    try:
        os.link(temporary, real)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(real):
            raise FileExistsError(real) from None
        os.replace(temporary, real)
        return
    os.unlink(temporary)


def _remove_tree(directory: Path) -> None:
    if not directory.is_dir() or directory.is_symlink():
        return
    for child in sorted(directory.rglob("*"), reverse=True):
        if child.is_dir() and not child.is_symlink():
            child.rmdir()
        else:
            child.unlink()
    directory.rmdir()
