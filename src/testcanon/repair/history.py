"""The history-aware method: undo only the commit that broke a file, keep every later edit.

1. Walk the file's history with real git (`--follow`, so renames are crossed; for a merge the
   parent that carried the content is the one whose blob matches). The newest committed
   version that compiles is *good*; the commit after it is the *breaking* commit (*bad* =
   the file as that commit left it).
2. Revert only the breaking commit's change to this file, three-way (`git merge-file`):
   apply the change bad -> good onto today's content, so later legitimate edits survive.
3. If that conflicts or does not verify, revert hunk by hunk: keep each hunk of the breaking
   commit that leaves the file compiling, revert the others, then replay later changes.
4. Files that never compiled, or outside git, fall back to the local method (the caller).
"""

from __future__ import annotations

import ast
import difflib
import functools
import os
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from testcanon.repair.inventory import TestName, missing, names_in_strings, names_in_tree, nested_helpers
from testcanon.repair.judge import Profile, Refusal, damage, judge, profile
from testcanon.repair.verify import verify
from testcanon.syntax import check_source
from testcanon.vcs import git, git_command, git_env
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


@dataclass(frozen=True)
class HistoryResult:
    fixed: bytes | None
    breaking: Breaking | None
    how: str
    reason: str = ""
    refusals: tuple[str, ...] = ()  # candidates passed over because they are not the author's code


class _Judged:
    """Verification plus the judgement against the author's last good version, for one file.

    Remembers why candidates were refused, so the verdict can say it."""

    def __init__(self, current: bytes, expected: set[TestName], reference: Profile | None) -> None:
        self.current, self.expected, self.reference = current, expected, reference
        self.refusals: list[str] = []

    def accepts(self, candidate: bytes, how: str) -> bool:
        if not verify(self.current, candidate, expected=self.expected).ok:
            return False
        refused: list[Refusal] = judge(candidate, self.reference)
        if refused:
            self.refusals.append(f"{how}: " + "; ".join(map(str, refused)))
            return False
        return True


@functools.lru_cache(maxsize=512)
def _show(root: Path, commit: str, path: str) -> bytes | None:
    result = subprocess.run(git_command("show", f"{commit}:{path}"), cwd=root, capture_output=True, timeout=60,
                            env=git_env())
    return result.stdout if result.returncode == 0 else None


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
    return tuple(entries)


def _renamed_from(root: Path, commit: str, path: str) -> str | None:
    """The old name of `path` when `commit` renamed it (git's rename detection on that commit
    alone; it reads blobs, so in a store missing some it may find nothing)."""
    result = git(root, "diff", "--name-status", "-M", "--diff-filter=R", f"{commit}^", commit, env=history_env(root))
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


def merge_file(current: bytes, base: bytes, other: bytes) -> tuple[bytes, bool]:
    """`git merge-file -p current base other`: (result, clean)."""
    with tempfile.TemporaryDirectory(prefix="canon-merge-") as tmp:
        paths = []
        for name, data in (("current", current), ("base", base), ("other", other)):
            path = os.path.join(tmp, name)
            with open(path, "wb") as handle:
                handle.write(data)
            paths.append(path)
        result = subprocess.run(git_command("merge-file", "-p", "-q", *paths), capture_output=True, timeout=60,
                                env=git_env())
    return result.stdout, result.returncode == 0


def revert_by_hunks(good: bytes, bad: bytes, expected: set[TestName] | None = None,
                    reference: Profile | None = None) -> bytes:
    """Start from good; apply each hunk of good -> bad that keeps the file compiling and loses
    none of the `expected` tests defined so far (a hunk that flattened a class's methods to
    column 0 compiles, and takes them out of their class). With the author's `reference`, a hunk
    must also not take the file further from the author's code (`judge.damage`): damage that
    happens to compile, such as quotes stripped from a string, is not replayed."""
    good_lines = good.decode("utf-8", "replace").splitlines(keepends=True)
    bad_lines = bad.decode("utf-8", "replace").splitlines(keepends=True)
    opcodes = [op for op in difflib.SequenceMatcher(None, good_lines, bad_lines, autojunk=False).get_opcodes()
               if op[0] != "equal"]
    accepted: list[tuple[str, int, int, int, int]] = []
    lost_so_far = missing(expected, ast.parse(good)) if expected and check_source(good) is None else set()
    damage_so_far = damage(good, reference) if reference is not None else 0

    def build(chosen: list[tuple[str, int, int, int, int]]) -> list[str]:
        out, cursor = [], 0
        for _, i1, i2, j1, j2 in sorted(chosen, key=lambda op: op[1]):
            out += good_lines[cursor:i1] + bad_lines[j1:j2]
            cursor = i2
        return out + good_lines[cursor:]

    for op in opcodes:
        trial = "".join(build([*accepted, op])).encode()
        if check_source(trial) is not None:
            continue
        lost = missing(expected, ast.parse(trial)) if expected else set()
        if not lost <= lost_so_far:
            continue
        if reference is not None:
            trial_damage = damage(trial, reference)
            if trial_damage > damage_so_far:
                continue
            damage_so_far = trial_damage
        accepted.append(op)
        lost_so_far = lost
    return "".join(build(accepted)).encode()


def history_expected(root: Path, relpath: str, expected: set[TestName]) -> set[TestName]:
    """The broken file's tests, less the names that versions which compiled define only as
    helpers nested in a function (never collected; the damage flattened them into view) or
    inside a string literal, and none defines as a test."""
    nested: set[str] = set()
    tests: set[str] = set()
    for commit, path, _, _ in file_history(root, relpath)[:HELPER_VERSIONS]:
        if not _compiles(root, commit, path):
            continue
        tree = ast.parse(_show(root, commit, path))  # type: ignore[arg-type]
        nested |= nested_helpers(tree) | names_in_strings(tree)
        tests |= {name for _, name in names_in_tree(tree)}
    helpers = nested - tests
    return {(owner, name) for owner, name in expected if name not in helpers}


HELPER_VERSIONS = 50  # versions `history_expected` reads


def repair_with_history(root: Path, relpath: str, current: bytes, expected: set[TestName], *,
                        allow_version_rewrite: bool = False) -> HistoryResult:
    """`allow_version_rewrite`: definitions valid only on Python 3.12+ may be rewritten for the
    target where the local method finishes a repair (`canon fix --rewrite-version-specific`)."""
    found = find_breaking(root, relpath)
    if found is None:  # never compiled as a whole: each definition may have, in some version
        return (_revert_recent_commits(root, relpath, current, expected, allow_version_rewrite)
                or _by_definitions(root, relpath, current, expected, None, allow_version_rewrite)
                or HistoryResult(None, None, "", "no committed version that compiles (or the damage is not "
                                 "committed), and no version where each broken definition compiled"))
    breaking, good, bad = found
    judged = _Judged(current, expected, author_reference(root, relpath, breaking, good))

    def result(fixed: bytes | None, how: str, reason: str = "") -> HistoryResult:
        return HistoryResult(fixed, breaking, how, reason, tuple(judged.refusals))

    merged, clean = merge_file(current, bad, good)
    how = "reverted the breaking commit's change (three-way)"
    if clean and judged.accepts(merged, how):
        return result(merged, how)
    partial = revert_by_hunks(good, bad, expected, judged.reference)
    replayed, clean = merge_file(current, bad, partial)
    how = "reverted only the breaking hunks of the commit"
    if clean and judged.accepts(replayed, how):
        return result(replayed, how)
    if current == bad and judged.accepts(partial, how):
        return result(partial, how)
    # Content only history holds before edits the local search guesses (and it is cheaper).
    found_result = (_from_last_complete_version(root, relpath, current, expected, judged)
                    or _revert_recent_commits(root, relpath, current, expected, allow_version_rewrite, judged))
    if found_result is None:
        found_result = _by_definitions(root, relpath, current, expected, breaking, allow_version_rewrite)
        if found_result is not None and not judged.accepts(found_result.fixed, found_result.how):  # type: ignore[arg-type]
            found_result = None
    if found_result is not None:
        return replace(found_result, refusals=tuple(judged.refusals))
    reason = ("reverting the breaking commit does not verify (tests would be lost or the result does not "
              "compile)")
    if judged.refusals:
        reason += "; refused as not the author's code: " + " | ".join(judged.refusals[:3])
    return result(None, "", reason)


def author_reference(root: Path, relpath: str, breaking: Breaking, good: bytes) -> Profile | None:
    """The author's last good code: the version before the breaking commit, unless that version is
    itself damage that compiles (tests commented out: a tombstone), then the newest older compiling
    version that held more tests with less code in comments (up to REFERENCE_VERSIONS back)."""
    chosen = profile(good)
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
        older = profile(content) if content is not None else None
        seen += 1
        if older is not None and len(older.tests) > len(chosen.tests) \
                and older.commented_code < chosen.commented_code:
            chosen = older
        if seen == REFERENCE_VERSIONS:
            break
    return chosen


REFERENCE_VERSIONS = 8


def _from_last_complete_version(root: Path, relpath: str, current: bytes, expected: set[TestName],
                                judged: _Judged | None = None) -> HistoryResult | None:
    """A version that compiles *and* holds every test the file has today, with each later
    change (hunk by hunk) replayed when it keeps the file compiling.

    This undoes damage that arrived in several steps (tests commented out by one script,
    un-commented with flattened indentation by another, then mangled by a third) while keeping
    the later edits that are sound. The newest such versions are tried (a test that lost its
    indentation to the damage may be defined anywhere, as `verify` accepts) and the one whose
    result changes today's file least wins."""
    from testcanon.repair.verify import changed_line_count

    best: tuple[int, HistoryResult] | None = None
    tried = 0
    newer: tuple[str, str, str] | None = None
    for commit, path, date, subject in file_history(root, relpath):
        content = _show(root, commit, path)
        if content is None or not _compiles(root, commit, path) or missing(expected, ast.parse(content)):
            newer = (commit, date, subject)
            continue
        tried += 1
        candidate = revert_by_hunks(content, current, expected, judged.reference if judged else None)
        how = f"restored the last version with every test ({commit[:10]})"
        if judged.accepts(candidate, how) if judged else verify(current, candidate, expected=expected).ok:
            cost = changed_line_count(current, candidate)
            if best is None or cost < best[0]:
                bad = newer or (commit, date, subject)
                best = (cost, HistoryResult(candidate, Breaking(bad[0], bad[1], bad[2], commit, path, relpath),
                                            f"restored the last version with every test ({commit[:10]}) and "
                                            "replayed each later change that keeps it compiling"))
        newer = (commit, date, subject)
        if tried == COMPLETE_VERSIONS:
            break
    return best[1] if best else None


COMPLETE_VERSIONS = 3  # versions holding every test that `_from_last_complete_version` tries
RECENT_COMMITS = 6
DONOR_VERSIONS = 8  # versions (of each kind) whose definitions may stand in for broken ones


def _by_definitions(root: Path, relpath: str, current: bytes, expected: set[TestName],
                    breaking: Breaking | None, allow_version_rewrite: bool = False) -> HistoryResult | None:
    """Each broken definition taken from the newest version where it compiled; definitions
    that compile today (new or legitimately edited tests) stay as they are. This keeps the new
    work when the damage arrived together with it, over several commits."""
    from testcanon.repair.local import repair_local

    # Recent versions that compiled, newest first; then those that did not, for a definition no
    # compiling version has (a test added by the very commit that broke another part of the file).
    whole: list[str] = []
    partial: list[str] = []
    for age, (commit, path, _, _) in enumerate(file_history(root, relpath)):
        content = _show(root, commit, path)
        if content is None or content == current:
            continue
        if _compiles(root, commit, path):
            whole.append(content.decode("utf-8", "replace"))
            if len(whole) == DONOR_VERSIONS:
                break
        elif age < DONOR_VERSIONS:
            partial.append(content.decode("utf-8", "replace"))
    donors = whole + partial
    if not donors:
        return None
    # verified against `current` there
    local = repair_local(current, expected=expected, donors=donors, allow_version_rewrite=allow_version_rewrite)
    if local.fixed is None:
        return None
    restored = sum(1 for note in local.edits if "restored from" in note)
    return HistoryResult(local.fixed, breaking, f"restored {restored} broken definition(s) from the last version "
                         "where each compiled, kept the ones that compile today")


def _revert_recent_commits(root: Path, relpath: str, current: bytes, expected: set[TestName],
                           allow_version_rewrite: bool = False, judged: _Judged | None = None) -> HistoryResult | None:
    """When the last compiling version predates new work (e.g. tests that were commented out,
    then restored with broken indentation, then mangled by a "fixer"), revert each recent commit's
    change alone (three-way onto today's content), finish the result with the local method, and
    keep the smallest candidate that verifies."""
    from testcanon.repair.local import repair_local
    from testcanon.repair.verify import changed_line_count

    history = file_history(root, relpath)[: RECENT_COMMITS + 1]
    versions = [(commit, date, subject, _show(root, commit, path)) for commit, path, date, subject in history]
    best: tuple[int, HistoryResult] | None = None
    for (commit, date, subject, after), (older, _, _, before) in zip(versions, versions[1:], strict=False):
        if after is None or before is None or after == before:
            continue
        merged, clean = merge_file(current, after, before)
        if not clean:
            continue
        candidate = merged
        how = f"reverted commit {commit[:10]}'s change"
        if check_source(candidate) is not None:
            local = repair_local(candidate, expected=expected, allow_version_rewrite=allow_version_rewrite)
            if local.fixed is None:
                continue
            candidate, how = local.fixed, how + f", then {len(local.edits)} local edit(s)"
        if not (judged.accepts(candidate, how) if judged else verify(current, candidate, expected=expected).ok):
            continue
        cost = changed_line_count(current, candidate)
        if best is None or cost < best[0]:
            breaking = Breaking(commit, date, subject, older, relpath, relpath)
            best = (cost, HistoryResult(candidate, breaking, how))
    return best[1] if best else None
