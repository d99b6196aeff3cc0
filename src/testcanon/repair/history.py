"""A file's history, read with real git (through `testcanon.vcs`): what the history method's
proposers (`repair/by_history.py`) and the judge of a repair read.

1. The versions that carried the file's content, newest first, across renames and merges.
2. The newest committed version that compiles is *good*; the commit after it is the
   *breaking* commit (*bad* = the file as that commit left it).
3. The author's last good code (`author_reference`), which candidates are judged against.
4. Earlier versions as donors of single definitions.

`FileHistory` reads each of these lazily and once per file.
"""

from __future__ import annotations

import ast
import difflib
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, overload

from testcanon.analysis.inventory import (
    TestName,
    missing,
    names_in_strings,
    names_in_tree,
    nested_helpers,
    uncollected_names,
)
from testcanon.repair.judge import VersionTraits, commented_code_lines, damage, profile
from testcanon.syntax import check_source, compiled_tree
from testcanon.syntax.edits import CompilingModule
from testcanon.vcs import git, read_blobs, show
from testcanon.vcs.graph import history_env

MAX_COMMITS = 200


@dataclass(frozen=True)
class Breaking:
    commit: str
    date: str
    subject: str
    good_commit: str
    path_at_good: str
    path_at_bad: str


_BLOBS: OrderedDict[tuple[Path, str, str], bytes | None] = OrderedDict()  # the newest BLOBS_KEPT read
_BLOBS_LOCK = threading.Lock()  # a caller's threads may read histories side by side
BLOBS_KEPT = 512


def _show(root: Path, commit: str, path: str) -> bytes | None:
    key = (root, commit, path)
    with _BLOBS_LOCK:
        if key in _BLOBS:
            _BLOBS.move_to_end(key)
            return _BLOBS[key]
    content = show(root, commit, path)
    _keep([(key, content)])
    return content


def read_version(root: Path, commit: str, path: str) -> bytes | None:
    """The file at `commit` (None: no such file), kept with the versions read ahead."""
    return _show(root, commit, path)


def _keep(read: list[tuple[tuple[Path, str, str], bytes | None]]) -> None:
    with _BLOBS_LOCK:
        for key, content in read:
            _BLOBS[key] = content
        while len(_BLOBS) > BLOBS_KEPT:
            _BLOBS.popitem(last=False)


def _read_ahead(root: Path, versions: tuple[tuple[str, str, str, str], ...]) -> None:
    """Read the versions every file's repair reads (`history_expected`'s) with one git process:
    one `git show` each cost more than the rest of a small file's repair."""
    with _BLOBS_LOCK:
        wanted = [(commit, path) for commit, path, _, _ in versions if (root, commit, path) not in _BLOBS]
    contents = read_blobs(root, wanted, top_relative=True)
    _keep([((root, commit, path), content) for (commit, path), content in zip(wanted, contents, strict=True)])


@functools.lru_cache(maxsize=512)
def _compiles(root: Path, commit: str, path: str) -> bool:
    """Whether that version compiles: each strategy walks the same versions and asks."""
    content = _show(root, commit, path)
    return content is not None and check_source(content) is None


def file_history(root: Path, relpath: str) -> list[tuple[str, str, str, str]]:
    """(commit, path in that commit, date, subject), newest first: the versions the file's
    content came through, across renames and merges."""
    return list(_file_history(root, relpath))


@functools.lru_cache(maxsize=64)  # every strategy reads the same history: ask git once
def _file_history(root: Path, relpath: str) -> tuple[tuple[str, str, str, str], ...]:
    # Not `git log --follow`: it turns off history simplification, so it also lists side-branch
    # commits whose version of the file a merge threw away (on a real repository, the newest
    # "version" it gave for one file was such a commit: the file looked already repaired).
    # Plain `git log -- path` follows the parent that carried the content through each merge;
    # where it ends with the file being added, the commit is asked whether it was a rename and
    # the walk goes on under the old name.
    entries: list[tuple[str, str, str, str]] = []
    path, start = relpath, "HEAD"
    while len(entries) < MAX_COMMITS:
        result = git(root, "log", "--format=%x00%H%x09%cI%x09%s", "--name-status", "--no-renames",
                     f"-n{MAX_COMMITS - len(entries)}", start, "--", path, env=history_env(root))
        added_at = None
        for block in result.stdout.split("\0")[1:]:
            header, _, statuses = block.partition("\n")
            commit, date, subject = (header.split("\t", 2) + ["", ""])[:3]
            entries.append((commit, path, date, subject))
            added_at = commit if statuses.strip().startswith("A") else None
        source = _renamed_from(root, added_at, path) if added_at else None
        if source is None:
            break
        path, start = source, f"{added_at}^"
    _read_ahead(root, tuple(entries[:HELPER_VERSIONS]))
    return tuple(entries)


def _renamed_from(root: Path, commit: str, path: str) -> str | None:
    """The old name of `path` when `commit` renamed it (git's rename detection on that commit
    alone; it reads blobs, so in a store missing some it may find nothing)."""
    result = git(root, "diff", "--name-status", "-M", "--diff-filter=R", f"{commit}^", commit,
                 env=history_env(root))
    for line in result.stdout.splitlines():
        status, *names = line.split("\t")
        if status.startswith("R") and len(names) == 2 and names[1] == path:
            return names[0]
    return None


def find_breaking(root: Path, relpath: str) -> tuple[Breaking, bytes, bytes] | None:
    """The breaking commit, the good content before it and the bad content it left."""
    history = file_history(root, relpath)
    newer: tuple[str, str, str, str, bytes] | None = None
    for commit, path, date, subject in history:
        content = _show(root, commit, path)
        if content is None:
            continue
        if _compiles(root, commit, path):
            if newer is None:
                return None  # the committed file compiles: the damage is uncommitted
            bad_commit, bad_path, bad_date, bad_subject, bad_content = newer
            return (Breaking(bad_commit, bad_date, bad_subject, commit, path, bad_path), content, bad_content)
        newer = (commit, path, date, subject, content)
    return None


Hunk = tuple[str, int, int, int, int]  # difflib's opcode of good -> bad: (tag, i1, i2, j1, j2)


@overload
def revert_by_hunks(good: bytes, bad: bytes, expected: set[TestName] | None = None,
                    reference: VersionTraits | None = None, give_up: None = None) -> bytes: ...
@overload
def revert_by_hunks(good: bytes, bad: bytes, expected: set[TestName] | None = None,
                    reference: VersionTraits | None = None,
                    give_up: Callable[[Hunk], bool] | None = None) -> bytes | None: ...
def revert_by_hunks(good: bytes, bad: bytes, expected: set[TestName] | None = None,
                    reference: VersionTraits | None = None,
                    give_up: Callable[[Hunk], bool] | None = None) -> bytes | None:
    """Start from good; apply each hunk of good -> bad that keeps the file compiling and loses
    none of the `expected` tests defined so far (a hunk that flattened a class's methods to
    column 0 compiles, and takes them out of their class). With the author's `reference`, a hunk
    must also not take the file further from the author's code (`judge.damage`): damage that
    happens to compile, such as quotes stripped from a string, is not replayed.
    `give_up(hunk)`, asked of each hunk not applied: True ends the replay with None (the caller
    knows the result is of no use without that hunk)."""
    good_lines = good.decode("utf-8", "replace").splitlines(keepends=True)
    bad_lines = bad.decode("utf-8", "replace").splitlines(keepends=True)
    opcodes = [op for op in difflib.SequenceMatcher(None, good_lines, bad_lines, autojunk=False).get_opcodes()
               if op[0] != "equal"]
    accepted: list[tuple[str, int, int, int, int]] = []
    good_tree = compiled_tree(good)
    lost_so_far = missing(expected, good_tree) if expected and good_tree is not None else set()
    damage_so_far = damage(good, reference, good_tree) if reference is not None else 0
    # what has been accepted so far compiles: a hunk that breaks it is told from the lines it
    # touches and below (`syntax/edits.py`), not by parsing the whole file again
    accepted_module = CompilingModule(good_lines, good_tree) if good_tree is not None else None

    def build(chosen: list[tuple[str, int, int, int, int]]) -> list[str]:
        out, cursor = [], 0
        for _, i1, i2, j1, j2 in sorted(chosen, key=lambda op: op[1]):
            out += good_lines[cursor:i1] + bad_lines[j1:j2]
            cursor = i2
        return out + good_lines[cursor:]

    def replayed(trial_lines: list[str]) -> tuple[ast.Module, set[TestName], int] | None:
        """The trial's tree, tests lost and damage when the hunk may be replayed, else None."""
        if accepted_module is not None and accepted_module.surely_fails(trial_lines):
            return None
        trial = "".join(trial_lines).encode()
        tree = compiled_tree(trial)  # one parse for every check below
        if tree is None:
            return None
        lost = missing(expected, tree) if expected else set()
        if not lost <= lost_so_far:
            return None
        trial_damage = damage(trial, reference, tree) if reference is not None else 0
        return None if trial_damage > damage_so_far else (tree, lost, trial_damage)

    for op in opcodes:
        trial_lines = build([*accepted, op])
        outcome = replayed(trial_lines)
        if outcome is None:
            if give_up is not None and give_up(op):
                return None
            continue
        tree, lost_so_far, damage_so_far = outcome
        accepted.append(op)
        accepted_module = CompilingModule(trial_lines, tree)
    return "".join(build(accepted)).encode()


def history_expected(root: Path, relpath: str, expected: set[TestName]) -> set[TestName]:
    """The broken file's tests as the versions which compiled tell them:

    - less the names those versions define only as helpers nested in a function (never
      collected; the damage flattened them into view), inside a string literal, or where pytest
      collects nothing (a property, a class pytest declines: `uncollected_names`), and none
      defines as a test pytest collects;
    - a test the broken file shows in a class that no such version ever put it in, while they
      do define it as a test elsewhere, is expected anywhere: the class was read from
      indentation the damage rewrote (a lost class header hands its methods to the class
      above). The judge still holds the repair to the author's classes."""
    nested: set[str] = set()
    owners: dict[str, set[str | None]] = {}
    versions = [(commit, path) for commit, path, _, _ in file_history(root, relpath)[:HELPER_VERSIONS]
                if _compiles(root, commit, path)]
    for commit, path in versions:
        tree = ast.parse(_show(root, commit, path))  # type: ignore[arg-type]
        uncollected = uncollected_names(tree)
        nested |= uncollected
        for owner, name in names_in_tree(tree):
            if name not in uncollected:
                owners.setdefault(name, set()).add(owner)
    # a name some version defines as a collected test is never a helper: the walks for nested
    # definitions and strings (a whole tree each, per version) matter only for the names left
    if {name for _, name in expected} - owners.keys() - nested:
        for commit, path in versions:
            tree = ast.parse(_show(root, commit, path))  # type: ignore[arg-type]
            nested |= nested_helpers(tree) | names_in_strings(tree)
    helpers = nested - owners.keys()
    return {(owner if owner is None or name not in owners or owner in owners[name] else None, name)
            for owner, name in expected if name not in helpers}


HELPER_VERSIONS = 50  # versions `history_expected` reads


class _Sketch(NamedTuple):
    """What choosing the author's reference compares of a version (its full `profile`, pyflakes
    and all, is read for the one chosen only)."""

    content: bytes
    functions: int  # test functions (`names_in_tree` also lists each `Test*` class as a name of
    # its own; a class is counted by its tests: whether its name reads as a test is the
    # project's pytest configuration, and a class renamed between two such names holds the same tests)
    commented_code: int

    @classmethod
    def of(cls, content: bytes) -> _Sketch | None:
        try:
            tree = ast.parse(content)
        except (SyntaxError, ValueError):
            return None
        functions = sum(1 for _, name in names_in_tree(tree) if name.startswith("test"))
        return cls(content, functions, commented_code_lines(content.decode("utf-8", "replace")))


def author_reference(root: Path, relpath: str, breaking: Breaking, good: bytes) -> VersionTraits | None:
    """The author's last good code: the version before the breaking commit, unless that version is
    itself damage that compiles (code commented out: a tombstone), then the older compiling
    version with less code in comments that held more tests, or as many tests and at least
    TOMBSTONE_LINES fewer commented lines of code (a helper module has no tests: its tombstone is
    its code). Up to REFERENCE_VERSIONS versions back; up to TOMBSTONE_REFERENCE_VERSIONS while
    the chosen one has code in comments (a file can stay commented out for many commits)."""
    chosen = _Sketch.of(good)
    if chosen is None:
        return None
    seen = 0
    past_good = False
    for commit, path, _, _ in file_history(root, relpath):
        if not past_good:
            past_good = commit == breaking.good_commit
            continue
        if not _compiles(root, commit, path):
            continue
        content = _show(root, commit, path)
        older = _Sketch.of(content) if content is not None else None
        seen += 1
        if older is not None and older.commented_code < chosen.commented_code and (
                older.functions > chosen.functions
                # a helper (no tests) or a file whose tests survived: the tombstone is the code
                or (older.functions == chosen.functions
                    and chosen.commented_code - older.commented_code >= TOMBSTONE_LINES)):
            chosen = older
        if seen >= REFERENCE_VERSIONS and (not chosen.commented_code or seen == TOMBSTONE_REFERENCE_VERSIONS):
            break
    return profile(chosen.content)


REFERENCE_VERSIONS = 8
TOMBSTONE_REFERENCE_VERSIONS = 32  # how far back a tombstone's author's code is looked for
# this many more lines of code inside comments than an older version, with no test more: the
# newer version is a tombstone (a script commented out what it could not parse), not the author's
TOMBSTONE_LINES = 10

DONOR_VERSIONS = 8  # versions (of each kind) whose definitions may stand in for broken ones


class FileHistory:
    """One file's history, each part read on first use and once: the breaking commit, the
    author's reference, the donor versions."""

    def __init__(self, root: Path, path: str) -> None:
        self.root, self.path = root, path

    def versions(self) -> list[tuple[str, str, str, str]]:
        """(commit, path in that commit, date, subject), newest first."""
        return file_history(self.root, self.path)

    def show(self, commit: str, path: str) -> bytes | None:
        return _show(self.root, commit, path)

    def compiles(self, commit: str, path: str) -> bool:
        return _compiles(self.root, commit, path)

    @functools.cached_property
    def found(self) -> tuple[Breaking, bytes, bytes] | None:
        """(breaking commit, good content, bad content), or None: never compiled as a whole, or
        the damage is not committed."""
        return find_breaking(self.root, self.path)

    @property
    def breaking(self) -> Breaking | None:
        return self.found[0] if self.found else None

    @functools.cached_property
    def reference(self) -> VersionTraits | None:
        """The author's last good code, judged against; None without a breaking commit."""
        if self.found is None:
            return None
        return author_reference(self.root, self.path, self.found[0], self.found[1])

    def donors(self, current: bytes) -> list[str]:
        """Recent versions that compiled, newest first; then those that did not, for a
        definition no compiling version has (a test added by the very commit that broke
        another part of the file)."""
        whole: list[str] = []
        partial: list[str] = []
        for age, (commit, path, _, _) in enumerate(self.versions()):
            content = self.show(commit, path)
            if content is None or content == current:
                continue
            if self.compiles(commit, path):
                whole.append(content.decode("utf-8", "replace"))
                if len(whole) == DONOR_VERSIONS:
                    break
            elif age < DONOR_VERSIONS:
                partial.append(content.decode("utf-8", "replace"))
        return whole + partial
