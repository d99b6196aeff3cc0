"""The shortest pytest arguments that select exactly a set of test files.

pytest handles each command-line path separately, which costs seconds on hundreds of files
(2.6 s for 300 files, measured by bench/runner.py); a folder whose test files all belong to
the set is passed as the folder instead. A folder qualifies only when it lies inside one of
the invocation's roots (the paths pytest started from: the arguments, or `testpaths`) and
every file pytest collected below it is in the set, so pytest collects exactly the same
files either way, by the project's own rules (python_files, norecursedirs, conftests).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def compress(files: Iterable[str], universe: Iterable[str], roots: Iterable[str] = (".",)) -> list[str]:
    """`files` (project-relative) as folders where possible; `universe`: every collected file."""
    chosen = set(files)
    below: dict[str, set[str]] = defaultdict(set)  # folder -> collected files below it
    for path in set(universe) | chosen:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            below["/".join(parts[:depth])].add(path)
    root_dirs = {r.strip("/") for r in roots if r}
    inside_all = "." in root_dirs or "" in root_dirs

    def allowed(folder: str) -> bool:
        return inside_all or any(folder == r or folder.startswith(r + "/") for r in root_dirs)

    result: list[str] = sorted(f for f in chosen if "/" not in f)

    def visit(folder: str) -> None:
        if allowed(folder) and below[folder] <= chosen:
            result.append(folder)
            return
        children = sorted({p[len(folder) + 1:].split("/", 1)[0] for p in chosen
                           if p.startswith(folder + "/")})
        for child in children:
            path = f"{folder}/{child}"
            if path in chosen:
                result.append(path)
            else:
                visit(path)

    for top in sorted({f.split("/", 1)[0] for f in chosen if "/" in f}):
        visit(top)
    return sorted(result)
