"""`canon undo`: put back exactly what a run changed, trusting nothing the journal says.

Every target is resolved on disk and must stay inside the project (`manifest.resolve_target`),
every backup must match its digest, and a file is only touched when it is in one of the two
states the run knows: as the run left it (restored) or already original (left alone, so an undo
that was killed can simply be run again). Anything else is a change made since, which only
`--force` overwrites.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from testcanon.errors import JournalError
from testcanon.journal import fsio
from testcanon.journal.faults import fault
from testcanon.journal.lock import project_lock
from testcanon.journal.manifest import MODE_MASK, BadRun, Entry, RunInfo, resolve_parent, resolve_target


@dataclass(frozen=True)
class _Plan:
    entry: Entry
    index: int
    target: Path
    original: bytes | None  # the backup's bytes (None: the run created the file)
    current: str | None     # the digest on disk now


def undo(journal: object, run_id: str | None = None, *, force: bool = False) -> RunInfo:
    """Undo `run_id` (default: the newest run not yet undone) under the project's lock."""
    from testcanon.journal.store import Journal, is_run_id

    assert isinstance(journal, Journal)
    with project_lock(journal.root, "canon undo"):
        journal._check_directory()
        runs = list(journal.scan())
        if run_id is not None:
            chosen = [run for run in runs if run.id == run_id] if is_run_id(run_id) else []
            if not chosen:
                raise JournalError(f"no run '{run_id[:80]}' to undo (see canon undo --list)")
            run = chosen[0]
            if isinstance(run, RunInfo) and run.status == "undone":
                raise JournalError(f"run {run.id} is already undone")
        else:
            left = [run for run in runs if not (isinstance(run, RunInfo) and run.status == "undone")]
            if not left:
                raise JournalError("nothing to undo: the journal has no runs left")
            run = left[-1]
        if isinstance(run, BadRun):
            raise JournalError(f"journal run {run.id} cannot be trusted ({run.reason}); not undone "
                               "(see canon undo --list to undo another run by id)")
        if run.status == "open":
            raise JournalError(f"run {run.id} is still being written")
        try:
            return undo_run(journal.root, journal.directory / run.id, run, force=force)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise JournalError(f"cannot undo run {run.id}: {exc.strerror or exc}{where}; the files restored "
                               "so far stay restored; once that is fixed, the next canon "
                               "command finishes the undo") from None


def _plan(root: Path, directory: Path, run: RunInfo) -> list[_Plan]:
    """Resolve and read everything first: a run is refused whole, before any file is touched."""
    files = directory / "files"
    if files.is_symlink():
        raise JournalError(f"run {run.id}: its backups folder is a symbolic link; not undone")
    plans = []
    for index, entry in enumerate(run.entries):
        target = resolve_target(root, entry.target)
        if entry.link is not None or entry.path != entry.target:
            resolve_parent(root, entry.path)
        original = None
        if entry.existed:
            try:
                found = fsio.read_regular(directory / str(entry.backup))
            except OSError:
                found = None
            if found is None or fsio.sha(found[0]) != entry.old_sha:
                raise JournalError(f"{entry.path}: its backup in {directory} is "
                                   "missing or damaged; not undone")
            original = found[0]
        plans.append(_Plan(entry, index, target, original, fsio.current_sha(target)))
    return plans


def undo_run(root: Path, directory: Path, run: RunInfo, *, force: bool) -> RunInfo:
    plans = _plan(root, directory, run)
    if not force:
        changed = [plan.entry.path for plan in plans if not _known_state(plan)]
        if changed:
            raise JournalError(f"{len(changed)} file(s) changed since run {run.id}, not undoing "
                               f"(use --force to overwrite): {', '.join(changed[:5])}")
    run.status = "undoing"
    _save(directory, run)
    fault("undo.begin")
    _restore_all(root, run.id, plans)
    run.status = "undone"
    _save(directory, run)
    return run


def _restore_all(root: Path, run_id: str, plans: list[_Plan]) -> None:
    """Stage every original in a temporary sibling, make them durable at once, then swap."""
    staged: dict[int, Path] = {}
    try:
        for plan in plans:
            temporary = _stage(run_id, plan)
            if temporary is not None:
                staged[plan.index] = temporary
        fsio.make_durable(staged.values())
        folders = set()
        for plan in reversed(plans):
            _restore(root, run_id, plan, staged.pop(plan.index, None))
            folders.add(plan.target.parent)
            fault("undo.file")
        for folder in folders:
            fsio.fsync_dir(folder)
    finally:
        for temporary in staged.values():
            fsio.remove_quietly(temporary)


def rollback(root: Path, directory: Path, run: RunInfo) -> int:
    """Put back the files a failing run wrote; the number that could not be put back."""
    try:
        plans = _plan(root, directory, run)
    except JournalError:
        return len(run.entries)
    ours = [plan for plan in plans if plan.current == plan.entry.new_sha]  # others: not ours any more
    try:
        _restore_all(root, run.id, ours)
    except OSError:
        return sum(1 for plan in ours if fsio.current_sha(plan.target) != plan.entry.old_sha)
    return 0


def _known_state(plan: _Plan) -> bool:
    entry = plan.entry
    if entry.existed:
        return plan.current in (entry.new_sha, entry.old_sha)
    return plan.current in (entry.new_sha, None)


def _stage(run_id: str, plan: _Plan) -> Path | None:
    """Write the original to a temporary sibling when it goes back by rename (not in place)."""
    entry, target = plan.entry, plan.target
    if not entry.existed or plan.current == entry.old_sha or _in_place(target):
        return None
    assert plan.original is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = fsio.temp_name(target, run_id, plan.index, undo=True)
    fsio.remove_quietly(temporary)
    try:
        status = os.stat(target, follow_symlinks=False)
        owner = None if fsio.same_owner(status) else (status.st_uid, status.st_gid)
    except FileNotFoundError:
        owner = None
    fsio.write_new(temporary, plan.original, _mode(entry.mode), owner=owner, sync=False)
    return temporary


def _in_place(target: Path) -> bool:
    """Other hard links, or an owner a new file cannot get: restore in the same inode."""
    try:
        status = os.stat(target, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return status.st_nlink > 1 or not fsio.can_give(status)


def _mode(mode: int | None) -> int:
    return (mode if mode is not None else fsio.default_mode()) & MODE_MASK


def _restore(root: Path, run_id: str, plan: _Plan, temporary: Path | None) -> None:
    entry, target = plan.entry, plan.target
    if not entry.existed:
        if os.path.lexists(target) and not target.is_dir():
            os.unlink(target)
        for name in entry.created_dirs:  # innermost first
            try:
                resolve_parent(root, name).rmdir()
            except (OSError, JournalError):
                break  # not empty any more: something else lives there now
        return
    assert plan.original is not None
    if temporary is not None:
        os.replace(temporary, target)
    elif plan.current != entry.old_sha:
        fsio.rewrite_in_place(target, plan.original)
        os.chmod(target, _mode(entry.mode))
    if entry.link is not None:
        _restore_link(root, entry, run_id, plan.index)


def _restore_link(root: Path, entry: Entry, run_id: str, index: int) -> None:
    """The name the run was given was a symbolic link: make sure it still is one."""
    name = resolve_parent(root, entry.path)
    if name.is_symlink():
        return  # still the link (testcanon writes through links and never replaces them)
    if name.exists() and (name.is_dir() or fsio.current_sha(name) not in (entry.new_sha, entry.old_sha)):
        return  # something else lives there now
    temporary = fsio.temp_name(name, run_id, index, undo=True)
    fsio.remove_quietly(temporary)
    os.symlink(str(entry.link), temporary)
    os.replace(temporary, name)


def _save(directory: Path, run: RunInfo) -> None:
    from testcanon.journal.protocol import MANIFEST

    fsio.atomic_write(directory / MANIFEST, json.dumps(run.to_json(), indent=1).encode())
