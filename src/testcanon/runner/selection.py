"""Which test files exist, which category each belongs to, and how categories form layers.

A file belongs to the first category (in layer order, then name) whose path globs match it
or whose markers it uses; a file in no category runs in the `uncategorized` category of the
last layer, so `canon run` runs every test exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from testcanon.analysis.testfiles import is_test_file
from testcanon.config import Category, Project
from testcanon.source import GlobSet, SourceFile, discover

UNCATEGORIZED = "uncategorized"
_MARK = re.compile(rb"\bmark\.([A-Za-z_]\w*)")


@dataclass(frozen=True)
class TestFile:
    relpath: str
    category: str
    layer: int


def test_files(project: Project, paths: Sequence[Path | str] = ()) -> list[SourceFile]:
    roots = GlobSet(project.config.test_paths or ["**"])
    return [f for f in discover(project, paths)
            if is_test_file(f.relpath) and (roots.match(f.relpath) or paths)]


def ordered_categories(project: Project) -> list[tuple[str, Category]]:
    return sorted(project.config.categories.items(), key=lambda item: (item[1].layer, item[0]))


def classify(project: Project, files: list[SourceFile]) -> list[TestFile]:
    categories = ordered_categories(project)
    globs = [(name, GlobSet(c.paths), set(c.markers), c.layer) for name, c in categories]
    last_layer = max((c.layer for _, c in categories), default=0)
    result = []
    for source in files:
        markers: set[str] = set()
        if any(m for _, _, m, _ in globs):
            try:  # a byte search, not a parse: classification must cost nothing next to pytest
                markers = {m.decode() for m in _MARK.findall(source.path.read_bytes())}
            except OSError:
                markers = set()
        for name, paths, marks, layer in globs:
            if paths.match(source.relpath) or markers & marks:
                result.append(TestFile(source.relpath, name, layer))
                break
        else:
            result.append(TestFile(source.relpath, UNCATEGORIZED, last_layer))
    return result


def layers(files: list[TestFile]) -> list[tuple[int, dict[str, list[str]]]]:
    """[(layer, {category: [files]})] in layer order."""
    grouped: dict[int, dict[str, list[str]]] = {}
    for test in files:
        grouped.setdefault(test.layer, {}).setdefault(test.category, []).append(test.relpath)
    return sorted(grouped.items())
