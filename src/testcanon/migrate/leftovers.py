"""Every violation a migration leaves behind (CANON101/201/301), with the reason it was left.

The codemod re-bases a class only where the move is provably safe; the rest must not vanish
silently. After planning and verification, each remaining finding of `canon check` is matched
to why it stayed: its home-made base is a plain (pytest-style) class, duplicates the canonical
helpers, was rejected by verification, or its file could not be changed. Findings are grouped
by the base to move, because one manual edit there fixes all of its classes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from testcanon.findings import Finding
from testcanon.migrate.common import FileChange

PLAIN_BASE = ("a pytest-style base the codemod could not change (a shipped package, outside the test code, "
              "or its file does not parse): add `SSotTestBase` to its bases by hand")


@dataclass(frozen=True)
class Leftover:
    """`count` violations of `code` stay because of `target` (at `site`), for `reason`."""

    target: str
    site: str
    count: int
    reason: str
    code: str = "CANON101"

    def describe(self) -> str:
        if self.code == "CANON101":
            return f"{self.count} test class(es) on {self.target} ({self.site}): {self.reason}"
        many = f" ({self.count} in the file)" if self.count > 1 else ""
        return f"{self.code} {self.site}{many}: {self.reason}"


def leftovers(findings: Iterable[Finding], changes: list[FileChange], rejected: dict[str, str],
              review: list[str], sites: dict[str, str],
              why_not: Callable[[str], str | None] = lambda _relpath: None) -> list[Leftover]:
    """Group the CANON101 findings no change addresses, each with its reason.

    `sites` maps a home-made base's qualified name to its `path:line`; `review` holds the
    codemod's "path: Class: reason" notes for bases it refused to touch; `why_not` says why
    the codemod may not change a file (it does not compile, a shipped package, not test code).
    """
    rebased = {change.path: set(change.rebased) for change in changes}  # path -> classes re-based there
    refused = {}
    for note in review:
        path, _, rest = note.partition(": ")
        name, _, why = rest.partition(": ")
        refused[(path, name)] = why
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for finding in findings:
        if finding.code != "CANON101":
            continue
        klass = str(finding.data.get("class", ""))
        home = list(finding.data.get("home_made", []))
        if klass.split(".")[-1] in rebased.get(finding.path, set()):
            continue
        if any(_name(base) in rebased.get(_path(sites, base), set()) for base in home):
            continue
        if home:
            base = home[-1]  # the one standing on unittest/object: moving it moves them all
            site = sites.get(base, "?")
            path = _path(sites, base)
            if path in rejected:
                reason = f"re-basing it was rejected: {rejected[path]}"
            elif (path, _name(base)) in refused:
                reason = refused[(path, _name(base))]
            elif path and (why := why_not(path)) is not None:
                reason = why
            elif finding.data.get("style") == "pytest" or finding.data.get("root") == "builtins.object":
                reason = PLAIN_BASE
            else:
                reason = "its file is not test code the codemod may change, or does not parse"
            groups[(base, site, reason)].append(klass)
        else:
            target = f"{finding.path}::{klass}"
            if finding.path in rejected:
                reason = f"rejected by verification: {rejected[finding.path]}"
            elif (why := why_not(finding.path)) is not None:
                reason = why
            else:
                reason = (f"reaches {finding.data.get('root')} in a way the codemod does not rewrite (e.g. "
                          "an alias or a dynamic base)")
            groups[(target, f"{finding.path}:{finding.line}", reason)].append(klass)
    return sorted((Leftover(target, site, len(classes), reason)
                   for (target, site, reason), classes in groups.items()),
                  key=lambda item: (-item.count, item.target))


def _name(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1]


def _path(sites: dict[str, str], qualified: str) -> str:
    return sites.get(qualified, "").rsplit(":", 1)[0]


def bypass_leftovers(findings: Iterable[Finding], changes: list[FileChange], rejected: dict[str, str],
                     broken: set[str], is_test_code: Callable[[str], bool],
                     protected: Callable[[str], str | None] = lambda _relpath: None,
                     describe: Callable[[str, int], str | None] = lambda _path, _line: None,
                     uncollected: Callable[[str], str | None] = lambda _path: None,
                     ) -> list[Leftover]:
    """CANON201 findings the `__main__`-block codemod does not remove, each with its reason
    (`protected`: why a file of a shipped package is left, else None; `describe`: what stops the
    call at a file's line from becoming the runner's, read from the call; `uncollected`: why
    pytest never collects the tests a file outside the test code defines, else None)."""
    removed = {change.path: change.main_blocks_removed for change in changes}
    left = []
    for finding in findings:
        if finding.code != "CANON201":
            continue
        how = finding.data.get("how")
        if how == "main-block" and removed.get(finding.path, 0) > 0:
            removed[finding.path] -= 1
            continue
        if finding.path in rejected:
            reason = f"rejected by verification: {rejected[finding.path]}"
        elif finding.path in broken:
            reason = "the file does not compile: repair it first (`canon fix`)"
        elif (why := protected(finding.path)) is not None:
            reason = why
        elif not is_test_code(finding.path):
            reason = ("a script outside the test code that runs tests: a tool, not a test; point it at the "
                      "canonical runner by hand, or delete it")
            if how == "call" and (what := describe(finding.path, finding.line)) is not None:
                reason = f"a script outside the test code: {what}"
            elif how == "main-block" and (why := uncollected(finding.path)) is not None:
                # the block is how these tests run at all: removing it would lose them
                reason = f"{why}; once it is collected, `canon migrate` removes the block"
        elif how == "call":
            reason = ("runs tests as part of the program (not in a `__main__` block): replace the call with "
                      "the canonical runner by hand")
            if (what := describe(finding.path, finding.line)) is not None:
                reason = f"runs tests as part of the program: {what}"
        else:
            reason = "the `__main__` block does more than run tests (or has an `else`): edit it by hand"
        left.append(Leftover(finding.path, f"{finding.path}:{finding.line}", 1, reason, "CANON201"))
    return left


def environment_leftovers(findings: Iterable[Finding], changes: list[FileChange], rejected: dict[str, str],
                          skipped: list[str], broken: set[str], *, written: bool,
                          protected: Callable[[str], str | None] = lambda _relpath: None) -> list[Leftover]:
    """CANON301 accesses left, per file, with what the codemod said about them.

    After writing, `findings` are what is left. For a dry run a changed file is assumed to keep
    only the accesses the codemod said it skipped."""
    notes: dict[str, list[str]] = defaultdict(list)
    for note in skipped:
        path, _, why = note.partition(": ")
        if why not in notes[path]:
            notes[path].append(why)
    changed = {c.path for c in changes if "CANON301" in c.codes}
    per_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.code == "CANON301":
            per_file[finding.path].append(finding)
    left = []
    for path, items in sorted(per_file.items()):
        count = len(items)
        if not written and path in changed:
            count = min(count, len(notes[path]))
            if not count:
                continue
        if path in rejected:
            reason = f"rejected by verification: {rejected[path]}"
        elif path in broken:
            reason = "the file does not compile: repair it first (`canon fix`)"
        elif (why := protected(path)) is not None:
            reason = why
        elif notes[path]:
            reason = "; ".join(notes[path])
        else:
            kinds = sorted({str(f.data.get("access", "")) for f in items})
            reason = (f"{', '.join(kinds)} used in a way with no exact canonical equivalent (passed or "
                      "copied as a mapping, or outside any function the codemod scopes): move it by hand")
        left.append(Leftover(path, f"{path}:{items[0].line}", count, reason, "CANON301"))
    return left
