"""The ledger of lost tests: which test ids were live at a reference and are not now, and who lost them.

A test id (`path::Class::test`) is *live at REF* when the test file's version at REF compiles
and defines it (pytest's naming, as `live_test_ids`). It is *present now* when today's file
defines it: live if the file compiles, or still written as a definition if it does not (that
file is CANON001's business, not a lost test). A lost test is live at REF and not present now;
renames between REF and HEAD are followed (git's rename detection). Each one is attributed to
the first commit after REF whose version of the file no longer has it present (it deleted or
commented it out), with that commit's subject; "" when only the working tree lost it.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from testcanon.analysis.inventory import names_in_broken
from testcanon.errors import UsageError
from testcanon.rules.lost.naming import DEFAULT, TestNaming
from testcanon.rules.lost.tombstones import live_test_ids
from testcanon.syntax import check_source
from testcanon.vcs import git, read_blobs
from testcanon.vcs.graph import history_env

_DAYS = re.compile(r"^(?:last\s+)?(\d+)\s*(?:d|days?)$", re.I)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:]+)?$")


@dataclass(frozen=True)
class LostEntry:
    path: str
    test_id: str
    commit: str  # "" when only the working tree lost it
    date: str
    subject: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "test_id": self.test_id, "commit": self.commit, "date": self.date,
                "subject": self.subject}


@dataclass(frozen=True)
class Ledger:
    ref: str
    ref_commit: str
    ref_date: str
    live_then: int
    entries: tuple[LostEntry, ...]

    def to_json(self) -> dict[str, object]:
        return {"ref": self.ref, "ref_commit": self.ref_commit, "ref_date": self.ref_date,
                "live_then": self.live_then, "lost": len(self.entries),
                "entries": [e.to_json() for e in self.entries]}


def resolve_ref(root, ref: str) -> tuple[str, str]:
    """(commit, committer date) for a commit-ish, a date (`2025-09-01`) or `N days` / `last N days`."""
    text = ref.strip()
    days = _DAYS.match(text)
    if days or _DATE.match(text):
        before = (time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - int(days.group(1)) * 86400))
                  if days else text)
        found = git(root, "rev-list", "-1", f"--before={before}", "HEAD")
        commit = found.stdout.strip()
        if found.returncode != 0 or not commit:
            first = git(root, "rev-list", "--max-parents=0", "HEAD").stdout.split()
            if not first:
                raise UsageError(f"--lost-since {ref}: no commit in this repository")
            commit = first[-1]  # the reference predates the history: the first commit
    else:
        found = git(root, "rev-parse", "--verify", "--quiet", f"{text}^{{commit}}")
        commit = found.stdout.strip()
        if found.returncode != 0 or not commit:
            raise UsageError(f"--lost-since {ref}: not a commit, a date (YYYY-MM-DD) or 'N days'")
    date = git(root, "show", "-s", "--format=%cI", commit).stdout.strip()
    return commit, date


def present_ids(data: bytes | None, naming: TestNaming) -> set[str]:
    """Test ids a version defines: live when it compiles, written as definitions when it does not."""
    if data is None:
        return set()
    if check_source(data) is None:
        try:
            return live_test_ids(ast.parse(data), naming)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return set()
    ids: set[str] = set()
    for owner, name in names_in_broken(data.decode("utf-8", "replace")):
        ids.add(f"{owner}::{name}" if owner else name)
        if owner:
            ids.add(owner)
    return ids


def _renamed_away(lost: set[str], then: set[str], now: set[str]) -> set[str]:
    """Drop what a class rename explains: a method still defined, by name, in a test class of the
    file, and a class one of whose test methods is (bulk scripts renamed `TestX` to `XTests`)."""
    methods_now = {i.split("::", 1)[1] for i in now if "::" in i}
    kept = set()
    for test_id in lost:
        if "::" in test_id:
            if test_id.split("::", 1)[1] in methods_now:
                continue
        elif any(i.split("::", 1)[1] in methods_now for i in then if i.startswith(f"{test_id}::")):
            continue
        kept.add(test_id)
    return kept


def _renames(root, commit: str) -> dict[str, str]:
    """Old path -> path at HEAD, for files git sees renamed since `commit`."""
    done = git(root, "diff", "--name-status", "-M", "-z", "--relative", commit, "HEAD")
    parts = done.stdout.split("\0")
    renames: dict[str, str] = {}
    index = 0
    while index < len(parts) - 1:
        status = parts[index]
        if status.startswith(("R", "C")) and index + 2 < len(parts):
            renames[parts[index + 1]] = parts[index + 2]
            index += 3
        else:
            index += 2
    return renames


def build_ledger(root, ref: str, *, is_test_path: Callable[[str], bool],
                 naming: TestNaming = DEFAULT) -> Ledger:
    commit, date = resolve_ref(root, ref)
    listing = git(root, "ls-tree", "-r", "-z", "--name-only", commit)
    then_paths = [p for p in listing.stdout.split("\0") if p and is_test_path(p)]
    renames = _renames(root, commit)
    live_then = 0
    entries: list[LostEntry] = []
    for path, data in zip(then_paths, read_blobs(root, [(commit, p) for p in then_paths]), strict=True):
        if data is None or check_source(data) is not None:
            continue
        then = live_test_ids(ast.parse(data), naming)
        live_then += len(then)
        now_path = renames.get(path, path)
        try:
            now_data: bytes | None = (root / now_path).read_bytes()
        except OSError:
            now_data = None
        now = present_ids(now_data, naming)
        lost = _renamed_away(then - now, then, now)
        if lost:
            entries += _attribute(root, commit, path, now_path, sorted(lost), naming)
    entries.sort(key=lambda e: (e.path, e.test_id))
    return Ledger(ref, commit, date, live_then, tuple(entries))


def _attribute(root, ref_commit: str, then_path: str, now_path: str, lost: list[str],
               naming: TestNaming) -> list[LostEntry]:
    """The first commit after REF whose version of the file no longer has each id present."""
    log = git(root, "log", "--reverse", "--format=%H%x09%cI%x09%s", f"{ref_commit}..HEAD", "--",
              now_path, *([then_path] if then_path != now_path else []), env=history_env(root))
    commits = [line.split("\t", 2) for line in log.stdout.splitlines() if line.count("\t") >= 2]
    pending = set(lost)
    found: list[LostEntry] = []
    blobs = read_blobs(root, [(c[0], now_path) for c in commits])
    olds = read_blobs(root, [(c[0], then_path) for c in commits]) if then_path != now_path else blobs
    for (sha, date, subject), data, old in zip(commits, blobs, olds, strict=True):
        present = present_ids(data if data is not None else old, naming)
        for test_id in sorted(pending - present):
            found.append(LostEntry(now_path, test_id, sha, date, subject))
        pending &= present
        if not pending:
            break
    found += [LostEntry(now_path, test_id, "", "", "not committed") for test_id in sorted(pending)]
    return found
