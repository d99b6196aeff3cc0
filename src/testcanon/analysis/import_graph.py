"""Which files a change can reach through imports, from the cached one-parse facts.

Shared by `canon run --affected` (tests to run) and `canon migrate` (tests to collect again
when a codemod changed test infrastructure). It errs on the side of "reached": an import of
a package counts as an import of every module below it that changed, and a conftest reached
reaches every test file in its folder (pytest loads it for them).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from testcanon.analysis.facts import FileFacts, module_name

__all__ = ["reached"]


def reached(facts: Mapping[str, FileFacts], changed: Iterable[str], files: Iterable[str]) -> dict[str, str]:
    """Every file of `files` (and of `facts`) that a change to `changed` can reach, mapped to
    the changed file that reaches it (a changed file reaches itself)."""
    all_files = set(files) | set(facts)
    # Every dotted suffix of a file's module name names it too: a `src/` layout imports
    # `pkg.mod` for `src/pkg/mod.py`, and a test that put a folder on sys.path imports `mod`.
    by_module: dict[str, set[str]] = defaultdict(set)
    for path in all_files:
        if path.endswith(".py"):
            parts = module_name(path).split(".")
            for start in range(len(parts)):
                by_module[".".join(parts[start:])].add(path)
    importers: dict[str, set[str]] = defaultdict(set)  # imported file -> files importing it
    package_imports: dict[str, set[str]] = defaultdict(set)  # `import a.b` binds `a`: a -> importers
    for relpath, file_facts in facts.items():
        for target in file_facts.aliases.values():
            parts = target.split(".")
            for cut in range(len(parts), 0, -1):
                module = ".".join(parts[:cut])
                if module in by_module:
                    for imported in by_module[module]:
                        importers[imported].add(relpath)
                    break
            package_imports[target].add(relpath)
    conftests: dict[str, list[str]] = defaultdict(list)  # folder -> files below it
    for path in all_files:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        while True:
            conftests[folder].append(path)
            if not folder:
                break
            folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
    seen: dict[str, str] = {}
    queue = deque((path, path) for path in changed)
    while queue:
        path, origin = queue.popleft()
        if path in seen:
            continue
        seen[path] = origin
        following = set(importers.get(path, ()))
        parts = module_name(path).split(".")
        for start in range(len(parts)):
            for cut in range(start + 1, len(parts)):
                following |= package_imports.get(".".join(parts[start:cut]), set())
        if path == "conftest.py" or path.endswith("/conftest.py"):
            following.update(conftests[path.rsplit("/", 1)[0] if "/" in path else ""])
        queue.extend((importer, origin) for importer in following)
    return seen
