"""The journal's records, and the reading of them as untrusted input.

A `.testcanon/journal/<run>/manifest.json` can come from anywhere (a tarball, a repository, a
hostile colleague), and `canon undo` acts on it: it writes and deletes files. So nothing in it is
believed before it is checked: the format is known, every path is relative, normalized and has
no `..`, no `.git` or `.testcanon` part; backups are `files/<n>`; digests are 64 hex digits (an
empty one never matches anything, a missing file has no digest); modes lose setuid and setgid.
Where the path lands on disk is checked again when it is used (`resolve_target`), since a
symlinked parent can lead out of the project whatever the text says.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testcanon.errors import JournalError

FORMAT = 2
READABLE_FORMATS = (1, 2)  # 1: testcanon before the write protocol (no links, no ownership)
STATUSES = ("open", "done", "interrupted", "failed", "undoing", "undone")
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9]{3,6}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_BACKUP = re.compile(r"^files/[0-9]{1,9}$")
_FORBIDDEN_PARTS = {".git"}
MODE_MASK = 0o1777  # never restore setuid/setgid bits a manifest asks for


class BadJournal(ValueError):
    """One field of a manifest or log line is not what testcanon writes."""


@dataclass
class Entry:
    """One file a run changed.

    `path` is the name the command was given (it may be a symbolic link, `link` is then its
    text); `target` the regular file whose bytes changed. `inplace` says the bytes were
    rewritten in the same inode (hard links, or an owner this process cannot give a new file).
    """

    path: str
    existed: bool
    mode: int | None
    backup: str | None
    old_sha: str | None
    new_sha: str
    created_dirs: list[str] = field(default_factory=list)
    target: str = ""
    link: str | None = None
    inplace: bool = False
    uid: int | None = None
    gid: int | None = None

    def __post_init__(self) -> None:
        if not self.target:
            self.target = self.path

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "target": self.target, "link": self.link, "existed": self.existed,
                "mode": self.mode, "uid": self.uid, "gid": self.gid, "inplace": self.inplace,
                "backup": self.backup, "old_sha": self.old_sha, "new_sha": self.new_sha,
                "created_dirs": list(self.created_dirs)}


@dataclass
class RunInfo:
    """A journalled run as `canon undo --list` shows it."""

    id: str
    command: str
    created: float
    status: str
    entries: list[Entry] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    lock: str | None = None  # identity of the lock file the run was written under (see recovery)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "id": self.id, "command": self.command, "created": self.created,
                "status": self.status, "entries": [entry.to_json() for entry in self.entries],
                "skipped": self.skipped, "lock": self.lock}


@dataclass(frozen=True)
class BadRun:
    """A run directory whose manifest testcanon refuses to act on, and why."""

    id: str
    reason: str


def check_relpath(value: object, what: str = "path") -> str:
    """A project-relative path as testcanon writes it, or BadJournal."""
    if not isinstance(value, str) or not value:
        raise BadJournal(f"{what} is not a non-empty string")
    if "\0" in value or len(value) > 4096:
        raise BadJournal(f"{what} {value[:80]!r} is not a path")
    if os.path.isabs(value) or value.startswith("/"):
        raise BadJournal(f"{what} {value[:80]!r} is absolute")
    parts = value.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise BadJournal(f"{what} {value[:80]!r} is not a normalized relative path")
    if parts[0] == ".testcanon" or _FORBIDDEN_PARTS.intersection(parts):
        raise BadJournal(f"{what} {value[:80]!r} is inside .testcanon or .git")
    return value


def _sha(value: object, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _SHA.match(value):
        raise BadJournal(f"{what} is not a sha256 digest")
    return value


def _int(value: object, what: str, *, low: int = 0, high: int = 2**32) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < high:
        raise BadJournal(f"{what} is not a valid number")
    return value


def parse_entry(data: object) -> Entry:
    """An entry of a manifest or of an intent line, checked field by field."""
    if not isinstance(data, dict):
        raise BadJournal("an entry is not an object")
    path = check_relpath(data.get("path"))
    target = check_relpath(data.get("target", path), "target")
    existed = data.get("existed")
    if not isinstance(existed, bool):
        raise BadJournal(f"{path}: 'existed' is not true or false")
    link = data.get("link")
    if link is not None and (not isinstance(link, str) or not link or "\0" in link):
        raise BadJournal(f"{path}: 'link' is not a symbolic link's text")
    mode = _int(data.get("mode"), f"{path}: mode", high=0o10000)
    backup = data.get("backup")
    if existed:
        if not isinstance(backup, str) or not _BACKUP.match(backup):
            raise BadJournal(f"{path}: backup {str(backup)[:40]!r} is not files/<n>")
        old_sha = _sha(data.get("old_sha"), f"{path}: old_sha")
    else:
        if backup is not None or data.get("old_sha") is not None:
            raise BadJournal(f"{path}: a created file has no backup")
        old_sha = None
    new_sha = _sha(data.get("new_sha"), f"{path}: new_sha")
    created = data.get("created_dirs", [])
    if not isinstance(created, list) or existed and created:
        raise BadJournal(f"{path}: 'created_dirs' is not a list of its own new folders")
    dirs = [check_relpath(name, "created folder") for name in created]
    if any(not target.startswith(name + "/") for name in dirs):
        raise BadJournal(f"{path}: a created folder is not a parent of the file")
    inplace = data.get("inplace", False)
    if not isinstance(inplace, bool):
        raise BadJournal(f"{path}: 'inplace' is not true or false")
    return Entry(path=path, target=target, link=link, existed=existed, mode=mode,
                 uid=_int(data.get("uid"), f"{path}: uid"), gid=_int(data.get("gid"), f"{path}: gid"),
                 inplace=inplace, backup=backup if existed else None, old_sha=old_sha,
                 new_sha=str(new_sha), created_dirs=dirs)


def parse_manifest(data: object, directory_name: str) -> RunInfo:
    """A whole manifest, or BadJournal naming the first thing wrong with it."""
    if not isinstance(data, dict):
        raise BadJournal("the manifest is not a JSON object")
    version = data.get("format")
    if version not in READABLE_FORMATS or isinstance(version, bool):
        raise BadJournal(f"unknown journal format {str(version)[:20]!r} (this testcanon reads "
                         f"{', '.join(map(str, READABLE_FORMATS))})")
    run_id = data.get("id")
    if run_id != directory_name or not RUN_ID.match(directory_name):
        raise BadJournal(f"id {str(run_id)[:40]!r} does not name its directory")
    command, created, status = data.get("command"), data.get("created"), data.get("status")
    if not isinstance(command, str):
        raise BadJournal("'command' is not a string")
    if isinstance(created, bool) or not isinstance(created, (int, float)) or created != created:
        raise BadJournal("'created' is not a time")
    if status not in STATUSES:
        raise BadJournal(f"unknown status {str(status)[:20]!r}")
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise BadJournal("'entries' is not a list")
    entries = [parse_entry(item) for item in raw]
    targets = [entry.target for entry in entries]
    if len(set(targets)) != len(targets):
        raise BadJournal("one file appears twice")
    skipped = data.get("skipped", [])
    if not isinstance(skipped, list):
        raise BadJournal("'skipped' is not a list")
    lock = data.get("lock")
    return RunInfo(id=directory_name, command=command[:500], created=float(created), status=str(status),
                   entries=entries, skipped=[s for s in skipped if isinstance(s, dict)],
                   lock=lock if isinstance(lock, str) else None)


def inside(root: Path, path: str) -> bool:
    """`path` (already real) is `root` or below it."""
    root_text = str(root)
    return path == root_text or path.startswith(root_text.rstrip("/") + "/")


def resolve_target(root: Path, relpath: str) -> Path:
    """Where `relpath` lands on disk, following symlinks: inside the project and outside
    `.testcanon/`, or JournalError. `root` is already resolved."""
    real = os.path.realpath(root / relpath)
    if not inside(root, real) or real == str(root):
        raise JournalError(f"{relpath}: leads outside the project (to {real}); not touched")
    check = os.path.relpath(real, root)
    try:
        check_relpath(check)
    except BadJournal as exc:
        raise JournalError(f"{relpath}: {exc}; not touched") from None
    return Path(real)


def resolve_parent(root: Path, relpath: str) -> Path:
    """`relpath` with its folder resolved (the last part kept as is, to act on a link itself)."""
    absolute = root / relpath
    parent = os.path.realpath(absolute.parent)
    if not inside(root, parent):
        raise JournalError(f"{relpath}: its folder leads outside the project (to {parent}); not touched")
    return Path(parent) / absolute.name
