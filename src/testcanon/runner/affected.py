"""`canon run --affected [REV]`: only the tests a change can affect, and why each was chosen.

Changed files come from real git (committed since REV, staged, unstaged and untracked); a
test file is selected when it changed itself or imports, directly or through other modules
of the repository, a changed module (an import graph built from the cached facts).
"""

from __future__ import annotations

from dataclasses import dataclass

from testcanon.analysis import reached
from testcanon.config import Project
from testcanon.errors import UsageError
from testcanon.runner.selection import test_files
from testcanon.source import discover
from testcanon.vcs import git


@dataclass(frozen=True)
class Selection:
    base: str
    changed: list[str]
    reasons: dict[str, str]


def merge_base(project: Project) -> str:
    for branch in ("origin/main", "main", "origin/master", "master"):
        result = git(project.root, "merge-base", "HEAD", branch)
        if result.returncode == 0:
            return result.stdout.strip()
    raise UsageError("cannot find the merge base with main or master; pass --affected REV")


def changed_files(project: Project, base: str) -> list[str]:
    prefix = git(project.root, "rev-parse", "--show-prefix").stdout.strip()
    names: set[str] = set()
    for args in (["diff", "--name-only", f"{base}...HEAD"], ["diff", "--name-only", "HEAD"],
                 ["ls-files", "--others", "--exclude-standard", "--full-name"]):
        result = git(project.root, *args)
        if result.returncode != 0:
            raise UsageError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
        names.update(line for line in result.stdout.splitlines() if line)
    relative = [n[len(prefix):] if prefix and n.startswith(prefix) else n for n in names]
    return sorted(n for n in relative if not (prefix and n.startswith("../")))


def affected_tests(project: Project, rev: str | None) -> Selection:
    from testcanon.analysis import facts_for  # the same cached one-parse facts as canon check
    from testcanon.source import GlobSet

    base = rev or merge_base(project)
    changed = changed_files(project, base)
    sources = discover(project)
    facts = facts_for(project, sources, GlobSet([]))
    tests = {f.relpath for f in test_files(project)}
    seen = reached(facts, changed, [f.relpath for f in sources])
    reasons: dict[str, str] = {}
    for path, origin in seen.items():
        if path in tests:
            reasons[path] = "changed" if path == origin else f"imports {origin} (changed)"
    return Selection(base, changed, reasons)
