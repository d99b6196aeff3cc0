"""Completing runs that a kill, a crash or a power cut interrupted.

Runs under the project's lock, so a run still "open" belongs to a dead process (or to this one,
which `protocol.LIVE` excludes). Its log says which files it meant to write; each file's digest
says whether the rename happened. The run is then closed as "interrupted" with exactly the files
it changed (so `canon undo` restores them without `--force`), a file torn by an in-place rewrite
is put back from its backup (its torn bytes kept beside the backup), and the run's temporary
files are removed. An undo that was interrupted is finished.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

from testcanon.errors import JournalError
from testcanon.journal import fsio
from testcanon.journal.faults import fault
from testcanon.journal.lock import lock_identity
from testcanon.journal.manifest import (
    RUN_ID,
    BadJournal,
    Entry,
    RunInfo,
    parse_entry,
    resolve_parent,
    resolve_target,
)


def recover(root: Path) -> list[str]:
    """Complete every interrupted run of `root`'s journal; the ids of the runs completed."""
    from testcanon.journal.protocol import LIVE, MANIFEST, WAL, _remove_tree
    from testcanon.journal.store import Journal, read_run

    journal = Journal(root)
    directory = journal.directory
    if not directory.is_dir() or directory.is_symlink() or (root / ".testcanon").is_symlink():
        return []
    completed = []
    for run_dir in sorted(directory.iterdir()):
        if (str(run_dir) in LIVE or not RUN_ID.match(run_dir.name) or run_dir.is_symlink()
            or not run_dir.is_dir()):
            continue
        try:
            if not (run_dir / MANIFEST).exists():
                if not (run_dir / WAL).exists():
                    _remove_tree(run_dir)  # killed before its manifest: it never touched a file
                continue
            run = read_run(run_dir)
            if not isinstance(run, RunInfo):
                continue  # untrusted: left for the user, `canon undo` refuses it with the reason
            ours = run.lock is not None and run.lock == lock_identity(journal.root)
            if run.status == "open":
                _complete(journal.root, run_dir, run, trusted=ours)
                completed.append(run.id)
            elif run.status == "undoing" and ours:  # never finish an undo a stranger's journal asks for
                _sweep(journal.root, run, [entry.target for entry in run.entries])
                from testcanon.journal.undo import undo_run

                try:
                    undo_run(journal.root, run_dir, run, force=False)
                    completed.append(run.id)
                except JournalError:
                    pass  # files changed since: `canon undo` says which
        except OSError:
            continue
    return completed


def _read_log(run_dir: Path, run: RunInfo) -> tuple[dict[int, Entry], dict[int, str], dict[int, Entry]]:
    from testcanon.journal.protocol import WAL

    intents: dict[int, Entry] = dict(enumerate(run.entries))
    earlier: dict[int, Entry] = {}  # a file written twice in the run: the entry of its first write
    outcomes: dict[int, str] = {}
    try:
        lines = (run_dir / WAL).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        lines = []
    legacy = len(intents)
    for line in lines:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            break  # the line being written when the process died: its step never ran
        if not isinstance(record, dict):
            break
        try:
            if "op" not in record:  # format 1: each line an entry
                entry = parse_entry(record)
                index = next((i for i, e in intents.items() if e.target == entry.target), legacy)
                legacy += index == legacy
                intents[index] = entry
            elif record["op"] == "intent" and isinstance(record.get("index"), int):
                entry = parse_entry(record["entry"])
                previous = intents.get(record["index"])
                if previous is not None and isinstance(record.get("prev"), str):
                    earlier[record["index"]] = replace(entry, new_sha=record["prev"])
                intents[record["index"]] = entry
            elif record["op"] in ("applied", "skipped") and isinstance(record.get("index"), int):
                outcomes[record["index"]] = record["op"]
        except (BadJournal, KeyError, TypeError):
            continue  # an intent testcanon did not write is ignored, never acted on
    return intents, outcomes, earlier


def _complete(root: Path, run_dir: Path, run: RunInfo, *, trusted: bool) -> None:
    from testcanon.journal.protocol import WAL
    from testcanon.journal.undo import _save

    intents, outcomes, earlier = _read_log(run_dir, run)
    _sweep(root, run, [entry.target for entry in intents.values()])
    applied: list[Entry] = []
    for index in sorted(intents):
        entry = intents[index]
        try:
            target = resolve_target(root, entry.target)
        except JournalError:
            continue
        first = earlier.get(index)
        if outcomes.get(index) == "skipped" or (first is not None
                                                and fsio.current_sha(target) == first.new_sha):
            if first is not None:
                applied.append(first)  # the second write did not happen; the first stands
            continue
        if _was_applied(root, run_dir, target, entry, index, trusted=trusted):
            applied.append(entry)
    run.entries = applied
    run.status = "interrupted"
    _save(run_dir, run)
    (run_dir / WAL).unlink(missing_ok=True)
    fsio.fsync_dir(run_dir)


def _was_applied(root: Path, run_dir: Path, target: Path, entry: Entry, index: int, *, trusted: bool) -> bool:
    current = fsio.current_sha(target)
    if not entry.existed:
        if current is None:
            for name in entry.created_dirs:
                try:
                    resolve_parent(root, name).rmdir()
                except (OSError, JournalError):
                    break
        return current == entry.new_sha
    if current == entry.old_sha and entry.old_sha != entry.new_sha:
        return False
    if current == entry.new_sha:
        return True
    try:
        backup = fsio.read_regular(run_dir / str(entry.backup))
    except OSError:
        backup = None
    if backup is None or fsio.sha(backup[0]) != entry.old_sha:
        return False  # no usable backup: nothing undo could restore it from
    if entry.inplace and trusted:  # torn by the kill mid-rewrite: put the original back, keep what was there
        try:
            torn = fsio.read_regular(target)
        except OSError:
            torn = None
        if torn is not None:
            fsio.atomic_write(run_dir / "files" / f"{index}.found", torn[0], 0o600)
        fsio.rewrite_in_place(target, backup[0])
        fault("recover.file")
        return False
    return True  # replaced, then edited by someone: undo names it and asks for --force


def _sweep(root: Path, run: RunInfo, targets: list[str]) -> None:
    """Remove the run's temporary files (and, for format-1 runs, `.NAME.xxxxxxxx.tmp` files)."""
    folders: dict[Path, set[str]] = {}
    for relpath in targets:
        try:
            target = resolve_target(root, relpath)
        except JournalError:
            continue
        folders.setdefault(target.parent, set()).add(target.name)
    prefix = f".canon.{run.id}."
    for folder, names in folders.items():
        legacy = re.compile(r"^\.(" + "|".join(map(re.escape, names)) + r")\.[A-Za-z0-9_]{8}\.tmp$")
        try:
            children = os.listdir(folder)
        except OSError:
            continue
        for child in children:
            if (child.startswith(prefix) and child.endswith(".tmp")) or legacy.match(child):
                fsio.remove_quietly(folder / child)
