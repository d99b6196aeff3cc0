"""Read a repository and infer its testcanon settings, keeping the evidence for each guess.

Nothing here writes; `plan.py` turns the inference into file changes. Every guess carries
the evidence that produced it, because `canon init` prints it and writes it as a comment:
a user must be able to see why a setting is what it is, and disagree.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from testcanon.adopt.invocation import project_pytest_args
from testcanon.adopt.services import COMPOSE_GLOBS, SERVICE_PORTS, ServiceEvidence, category_of, gather
from testcanon.analysis.testfiles import is_test_file  # re-exported: adopt names it
from testcanon.config import Project
from testcanon.source import SourceFile, discover
from testcanon.source.copies import copy_folder

__all__ = ["SERVICE_PORTS", "Guess", "Inference", "infer", "is_test_file"]

CATEGORY_NAMES = ("mission_critical", "smoke", "unit", "integration", "e2e", "end_to_end",
                  "functional", "system", "acceptance", "regression", "contract", "api",
                  "performance", "perf", "load", "security")
LAYERS = {"mission_critical": 0, "smoke": 0, "unit": 0, "integration": 1, "functional": 1,
          "contract": 1, "api": 1, "system": 2, "acceptance": 2, "regression": 1, "e2e": 2,
          "end_to_end": 2, "performance": 3, "perf": 3, "load": 3, "security": 2}
INFRA_DIRS = ("fixtures", "test_framework", "test_utils", "testing", "helpers", "test_helpers",
              "support", "harness")
AREA_HINTS = {"websocket": 90.0, "websockets": 90.0, "ws": 90.0, "agent": 85.0, "agents": 85.0}
_MARK = re.compile(rb"pytest\.mark\.([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Guess:
    """A value and the evidence for it, e.g. ("tests", "312 test files below it")."""

    value: object
    evidence: str


@dataclass
class Inference:
    test_paths: list[Guess] = field(default_factory=list)
    categories: dict[str, dict[str, object]] = field(default_factory=dict)
    category_evidence: dict[str, str] = field(default_factory=dict)
    areas: dict[str, dict[str, object]] = field(default_factory=dict)
    area_evidence: dict[str, str] = field(default_factory=dict)
    infra: list[Guess] = field(default_factory=list)
    excludes: list[Guess] = field(default_factory=list)
    home_made_bases: list[tuple[str, str, int]] = field(default_factory=list)  # name, site, count
    pytest_args: Guess | None = None  # options the project's own whole-suite runs pass
    test_files: int = 0


def infer(project: Project) -> Inference:
    files = discover(project)
    result = Inference()
    result.excludes = _excludes(project)
    excluded = {g.value for g in result.excludes}
    files = [f for f in files if not any(f"{e}/" in f"/{f.relpath}" or f.relpath.startswith(f"{e}/")
                                         for e in excluded)]
    tests = [f for f in files if is_test_file(f.relpath)]
    result.test_files = len(tests)
    result.test_paths = _test_paths(tests)
    invoked = project_pytest_args(project, [str(g.value) for g in result.test_paths])
    result.pytest_args = Guess(invoked[0], invoked[1]) if invoked else None
    compose = [f for f in discover(project, include=list(COMPOSE_GLOBS))
               if not any(f.relpath.startswith(f"{e}/") for e in excluded)]
    result.categories, result.category_evidence = _categories(project, files, tests, compose)
    result.areas, result.area_evidence = _areas(files, {g.value for g in result.test_paths})
    result.infra = _infra(files, [str(g.value) for g in result.test_paths])
    return result


def _test_paths(tests: list[SourceFile]) -> list[Guess]:
    tops = Counter()
    for source in tests:
        parts = source.relpath.split("/")
        tops[parts[0] if len(parts) > 1 else "."] += 1
    return [Guess(top, f"{count} test file(s) below it") for top, count in tops.most_common()
            if top != "." and count > 0]


def _categories(project: Project, files: list[SourceFile], tests: list[SourceFile],
                compose: list[SourceFile]) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    folder_files: dict[str, list[SourceFile]] = defaultdict(list)
    marker_counts: Counter[str] = Counter()
    for source in tests:
        folder = category_of(source.relpath, list(CATEGORY_NAMES))
        if folder is not None:
            folder_files[folder].append(source)
        try:
            data = source.path.read_bytes()
        except OSError:
            continue
        for marker in set(_MARK.findall(data)):
            name = marker.decode()
            if name in CATEGORY_NAMES:
                marker_counts[name] += 1
    evidence_by_category: dict[str, list[ServiceEvidence]] = defaultdict(list)
    for item in gather(project.root, files, compose, dict(folder_files)):
        evidence_by_category[item.category].append(item)
    categories: dict[str, dict[str, object]] = {}
    evidence: dict[str, str] = {}
    for name in CATEGORY_NAMES:
        in_folder = folder_files.get(name, [])
        marked = marker_counts.get(name, 0)
        if not in_folder and not marked:
            continue
        services = evidence_by_category.get(name, [])
        category: dict[str, object] = {"layer": LAYERS.get(name, 1)}
        if in_folder:
            category["paths"] = [f"**/{name}/**"]
        if marked:
            category["markers"] = [name]
        if services:
            category["real_services"] = True
        startable = sorted({s.service for s in services if s.provided and s.service in SERVICE_PORTS})
        if startable:
            category["services"] = startable
        categories[name] = category
        parts = []
        if in_folder:
            parts.append(f"{len(in_folder)} test file(s) in '{name}/' folders")
        if marked:
            parts.append(f"{marked} file(s) use @pytest.mark.{name}")
        if services:
            shown = [s.evidence for s in services[:3]]
            more = f" and {len(services) - 3} more" if len(services) > 3 else ""
            parts.append("real services: " + "; ".join(shown) + more)
        evidence[name] = "; ".join(parts)
    return categories, evidence


def _areas(files: list[SourceFile], test_roots: set[object]) -> tuple[dict, dict]:
    packages: Counter[str] = Counter()
    for source in files:
        parts = source.relpath.split("/")
        if parts[0] in test_roots or is_test_file(source.relpath):
            continue
        for depth in range(1, len(parts)):
            name = parts[depth - 1]
            if name in AREA_HINTS:
                packages["/".join(parts[:depth])] += 1
                break
    areas: dict[str, dict[str, object]] = {}
    evidence: dict[str, str] = {}
    for folder, count in packages.most_common():
        name = PurePosixPath(folder).name
        key = "websocket" if name in ("websocket", "websockets", "ws") else "agent"
        if key in areas:
            areas[key]["source"].append(f"{folder}/**")  # type: ignore[union-attr]
            evidence[key] += f", {folder}/ ({count} files)"
            continue
        areas[key] = {"source": [f"{folder}/**"], "target": AREA_HINTS[name]}
        evidence[key] = f"package {folder}/ ({count} files)"
    return areas, evidence


def _infra(files: list[SourceFile], test_roots: list[str]) -> list[Guess]:
    """conftest.py files, and helper folders inside the test roots. A `testing/` folder of the
    shipped package (celery/contrib/testing) is library code, not test infrastructure."""
    guesses = [Guess("**/conftest.py", f"{sum(1 for f in files if f.relpath.endswith('conftest.py'))}"
                     " conftest.py file(s)")]
    dirs: Counter[str] = Counter()
    for source in files:
        parts = source.relpath.split("/")[:-1]
        if not parts or parts[0] not in test_roots:
            continue
        for depth, part in enumerate(parts, start=1):
            if part in INFRA_DIRS:
                dirs["/".join(parts[:depth])] += 1
                break
    for folder, count in sorted(dirs.items()):
        guesses.append(Guess(f"{folder}/**", f"{count} Python file(s) in {folder}/"))
    return guesses


def _excludes(project: Project) -> list[Guess]:
    """Backup, archive and vendored folders: found by name anywhere in the tree."""
    counts: Counter[str] = Counter()
    everything = discover(project, include=["**/*"])
    for source in everything:
        folder = copy_folder(source.relpath)
        if folder is not None:
            counts[folder] += 1
    return [Guess(folder, f"{count} file(s); looks like a backup, archive or vendored copy")
            for folder, count in sorted(counts.items())]
