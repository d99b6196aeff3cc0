"""Which pytest processes a `canon run` starts, and with which arguments.

The project's own invocation when it can be kept: when every file under the run's paths falls
in one category (judged on disk: path globs and markers, an over-approximation of anything
pytest could collect) and nothing selects a subset, `canon run` starts exactly
`python -m pytest [PATHS]`: the same tests as the project's own command, by construction,
and no extra collection. Otherwise one `pytest --collect-only` gives the test set
(`testset.collect_test_set`), its files are put in categories, selected (categories,
`--affected`, `--shard`), and each category runs its files, passed as the shortest folder
arguments that select exactly them. Every test file that is not run says why.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.config import Project
from testcanon.runner.durations import digest, load, per_file
from testcanon.runner.paths import compress
from testcanon.runner.pytest_ini import testpaths
from testcanon.runner.selection import UNCATEGORIZED, TestFile, classify, ordered_categories
from testcanon.runner.shards import Shard, parse_shard, plan
from testcanon.runner.testset import TestSet
from testcanon.source import GlobSet, discover


@dataclass
class Batch:
    """One pytest process: a category's files and the arguments that select them."""

    layer: int
    category: str
    files: list[str]
    args: list[str]
    planned: set[str] | None  # node ids the collection promised; None: the project's own invocation


@dataclass
class Plan:
    batches: list[Batch]
    not_run: dict[str, str] = field(default_factory=dict)  # collected file -> why it is not run
    shard: dict[str, object] | None = None


def relative_args(project: Project, paths: Sequence[Path | str]) -> list[str]:
    """The user's paths, relative to the project root (where pytest runs)."""
    result = []
    for path in paths:
        absolute = Path(path).resolve()
        result.append(os.path.relpath(absolute, project.root).replace(os.sep, "/"))
    return result


def static_categories(project: Project, paths: Sequence[Path | str]) -> set[str]:
    """Categories that any Python file under `paths` could fall in (no collection needed)."""
    files = [f for f in discover(project, paths) if f.relpath.endswith(".py")]
    return {f.category for f in classify(project, files)} or {UNCATEGORIZED}


def single_invocation(project: Project, paths: Sequence[Path | str], categories: Sequence[str],
                      *, selecting: bool) -> Batch | None:
    """The project's own invocation as one batch, when nothing needs the test set first."""
    if selecting:
        return None
    scope: Sequence[Path | str] = paths
    if not paths:  # a bare `pytest` looks in testpaths (globs included: then the whole root)
        listed = testpaths(project.root)
        if listed and all((project.root / p).exists() for p in listed):
            scope = [project.root / p for p in listed]
    found = static_categories(project, scope)
    if len(found) != 1:
        return None
    category = next(iter(found))
    if categories and category not in categories:
        return None
    layer = _layer(project, category)
    return Batch(layer, category, [], relative_args(project, paths), None)


def test_set_files(project: Project, tests: TestSet) -> list[str]:
    """The collected files, and those whose collection failed (they run, and fail, too)."""
    error_files = [e.file for e in tests.errors if e.file and (project.root / e.file).exists()]
    return list(dict.fromkeys([*tests.files, *error_files]))


def shard_plan(project: Project, files: list[str], count: int,
               tests: TestSet | None = None) -> tuple[list[Shard], dict[str, int], str]:
    """The plan of `count` shards over `files`, from the durations file (never local history)
    and, for files it does not know, the number of tests collected in each; and its digest."""
    counts = {name: len(tests.files.get(name, ())) for name in files} if tests is not None else None
    shards = plan(sorted(files), per_file(load(project.root)), count, counts)
    assignment = {name: s.index for s in shards for name in s.files}
    return shards, assignment, digest(assignment, count)


def from_test_set(project: Project, tests: TestSet, *, categories: Sequence[str],
                  only_files: Sequence[str] | None, shard: str | None) -> Plan:
    files = test_set_files(project, tests)
    classified = _classify(project, files, tests.markers)
    not_run: dict[str, str] = uncollected(project, tests, files)
    if only_files is not None:
        wanted = set(only_files)
        not_run.update({f.relpath: "not affected by the change" for f in classified
                        if f.relpath not in wanted})
        classified = [f for f in classified if f.relpath in wanted]
    shard_info = None
    if shard:
        k, n = parse_shard(shard)
        shards, assignment, plan_digest = shard_plan(project, [f.relpath for f in classified], n, tests)
        chosen = set(shards[k - 1].files)
        not_run.update({f.relpath: f"in shard {assignment[f.relpath]}/{n}" for f in classified
                        if f.relpath not in chosen})
        classified = [f for f in classified if f.relpath in chosen]
        shard_info = {"index": k, "count": n, "digest": plan_digest,
                      "planned": sorted(n_id for f in chosen for n_id in tests.files.get(f, []))}
    if categories:
        not_run.update({f.relpath: f"category '{f.category}' not selected" for f in classified
                        if f.category not in categories})
        classified = [f for f in classified if f.category in categories]
    universe = files
    grouped: dict[tuple[int, str], list[str]] = {}
    for test in classified:
        grouped.setdefault((test.layer, test.category), []).append(test.relpath)
    batches = []
    for (layer, category), names in sorted(grouped.items()):
        planned = {n for name in names for n in tests.files.get(name, [])}
        batches.append(Batch(layer, category, sorted(names), compress(names, universe, tests.roots), planned))
    return Plan(batches, not_run, shard_info)


UNCOLLECTED = ("pytest collects no test from it (python_files, python_classes, python_functions, "
               "norecursedirs or a conftest's collect_ignore)")


def uncollected(project: Project, tests: TestSet, files: list[str]) -> dict[str, str]:
    """Test-named files under the invocation's roots that pytest did not collect from, and why."""
    from testcanon.analysis.testfiles import is_test_file

    roots = [project.root / r for r in tests.roots if (project.root / r).exists()]
    if not roots:
        return {}
    seen = set(files)
    # the roots are the project's (absolute: a bare relative path would be this process's cwd's)
    return {f.relpath: UNCOLLECTED for f in discover(project, roots)
            if is_test_file(f.relpath) and f.relpath not in seen}


def _classify(project: Project, files: list[str], markers: dict[str, set[str]]) -> list[TestFile]:
    categories = ordered_categories(project)
    last_layer = max((c.layer for _, c in categories), default=0)
    globs = [(name, GlobSet(c.paths), set(c.markers), c.layer) for name, c in categories]
    result = []
    for path in files:
        used = markers.get(path, set())
        for name, paths, marks, layer in globs:
            if paths.match(path) or used & marks:
                result.append(TestFile(path, name, layer))
                break
        else:
            result.append(TestFile(path, UNCATEGORIZED, last_layer))
    return result


def _layer(project: Project, category: str) -> int:
    settings = project.config.categories.get(category)
    if settings is not None:
        return settings.layer
    return max((c.layer for _, c in ordered_categories(project)), default=0)


def category_markers(project: Project) -> list[str]:
    return sorted({m for c in project.config.categories.values() for m in c.markers})


__all__ = ["UNCOLLECTED", "Batch", "Plan", "category_markers", "from_test_set", "relative_args",
           "shard_plan", "single_invocation", "static_categories", "test_set_files", "uncollected"]
