"""Collection to 100% on real damage: `canon collect --repair` (its syntax stage is `canon fix`),
with real collection before, after the syntax stage and after the import repair.

    python bench/collection.py REPO --python VENV [--sample N] [--seed S] [--jobs J] [--timeout T]
                                                  [--batch-size B] [--all-files] [--rows FILE]

REPO is a git work tree at the commit to measure; it is never written: the bench clones it into a
temporary folder and runs everything there. VENV is the repository's own environment (real
collection runs in it: `python -m pytest --collect-only`, through `canon collect`). With
`--sample N`, N test files are drawn at random (seeded) and every step is limited to them (the
module index and git history used by the import repair are still the whole repository's);
without it, the command runs on the folders of the project's pytest `testpaths` (helpers in them
included), as a bare `pytest` would look.

Prints, for each stage: tests collected, files failing collection by cause, wall time; then the
repair-quality audit of every file `canon fix` changed, against the author's last good version
(undefined names added, assertions lost, tombstones restored, tests dropped, placeholders).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from testcanon.analysis.pytest_config import pytest_config
from testcanon.cli import Terminated, terminate_as_interrupt
from testcanon.config import load_project
from testcanon.repair.collection import repair_collection
from testcanon.repair.history import author_reference, find_breaking
from testcanon.repair.imports import CANNOT_IMPORT, NO_MODULE, ModuleIndex
from testcanon.repair.judge import judge
from testcanon.repair.markers import unregistered_marker
from testcanon.repair.repository_index import module_index
from testcanon.runner.collect import CollectionHealth, imports_what_does_not_compile
from testcanon.runner.selection import test_files
from testcanon.target import resolve_python

KINDS = ("fewer-tests", "undefined-names", "fewer-assertions", "tombstone", "placeholder")
CAUSES = ("does not compile", "imports a module that does not compile", "name not exported (first-party)",
          "module gone (first-party)", "package not installed (third-party)", "marker not registered",
          "NameError", "timed out", "pytest could not collect", "other")


def cause_of(cause: str, index: ModuleIndex) -> str:
    if cause.startswith("does not compile"):
        return "does not compile"
    if imports_what_does_not_compile(cause):
        return "imports a module that does not compile"
    if (match := CANNOT_IMPORT.search(cause) or NO_MODULE.search(cause)) is not None:
        if not index.is_first_party(match.group("module")):
            return "package not installed (third-party)"
        return ("name not exported (first-party)" if "cannot import name" in cause
                else "module gone (first-party)")
    if unregistered_marker(cause):
        return "marker not registered"
    if cause.startswith("NameError"):
        return "NameError"
    if cause == "collection timed out":
        return "timed out"
    if cause.startswith("pytest could not collect"):
        return "pytest could not collect"
    return "other"


def by_cause(health: CollectionHealth, index: ModuleIndex) -> Counter[str]:
    return Counter({cause_of(c.cause, index): 0 for c in health.clusters}) + Counter(
        cause_of(c.cause, index) for c in health.clusters for _ in c.files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--python", required=True, help="the repository's own venv or interpreter")
    parser.add_argument("--sample", type=int, default=0, help="only N test files, drawn at random")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=None, help="files per pytest process")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds for each whole collection")
    parser.add_argument("--all-files", action="store_true",
                        help="every test file testcanon finds, not only those under pytest's testpaths")
    parser.add_argument("--rows", type=Path, help="also write the measurements as JSON here")
    parser.add_argument("-v", "--verbose", action="store_true", help="log the steps of each stage, timed")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    terminate_as_interrupt()  # SIGTERM, as Ctrl-C, ends the pytest runs and removes the clone
    try:
        with tempfile.TemporaryDirectory(prefix="bench-collection-") as tmp:
            root = Path(tmp) / "repo"
            # a checkout can stop on a path this file system refuses (the corpus has one): the
            # index is then reset to what was written, as in the source tree
            subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(root)], capture_output=True)
            subprocess.run(["git", "reset", "-q"], cwd=root, check=True)
            return measure(root, args)
    except Terminated:
        print("bench: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM


def measure(root: Path, args: argparse.Namespace) -> int:
    project = load_project(root)
    target = resolve_python(root, cli=args.python, config=project.config.python)
    target.require_pytest()
    files = sorted(f.relpath for f in test_files(project))
    roots = pytest_config(root).testpaths  # real collection: where the project's own pytest looks
    if roots and not args.all_files:
        files = [path for path in files
                 if any(path == r or path.startswith(f"{r.rstrip('/')}/") for r in roots)]
    if args.sample and args.sample < len(files):
        files = sorted(random.Random(args.seed).sample(files, args.sample))
    index = module_index(project)
    named = [str(root / path) for path in files]  # paths are resolved against the working directory
    if roots and not args.all_files and not args.sample:  # whole folders: their helpers are repaired too
        named = [str(root / r) for r in roots if (root / r).exists()]
    print(f"repository clone: {root} ({len(files)} test files measured); python: {target.describe()}",
          file=sys.stderr)
    # the one command (`canon collect --repair`, syntax stage included); it collects each stage
    started = time.perf_counter()
    repair = repair_collection(project, target, named, timeout=args.timeout, batch_size=args.batch_size,
                               fix_syntax=True, jobs=args.jobs,
                               progress=lambda message: print(message, file=sys.stderr, flush=True))
    total = time.perf_counter() - started
    verdicts = repair.fixed
    fixed = sorted(v.path for v in verdicts if v.fixed is not None)
    fix_seconds = sum(stage.seconds for stage in repair.stages if stage.name == "after canon fix")
    healths = {"before": repair.before, "after import repair": repair.after}
    print("| stage | tests collected | files failing | " + " | ".join(CAUSES) + " | wall s |")
    print("|---|---|---|" + "---|" * len(CAUSES) + "---|")
    for stage in repair.stages:
        health = healths.get(stage.name)
        causes = by_cause(health, index) if health is not None else Counter()
        print(f"| {stage.name} | {stage.tests:,} | {stage.failed_files:,} | "
              + " | ".join(str(causes.get(c, 0)) if health is not None else "" for c in CAUSES)
              + f" | {stage.seconds:.0f} |")
    kinds = Counter(edit.kind for edit in repair.kept)
    print(f"\nimport repair: {len(repair.kept)} file(s) edited ({dict(kinds)}), {len(repair.refused)} "
          f"refused (did not make their files collect); left unrepaired: "
          f"{dict(Counter(u.kind for u in repair.left for _ in u.files))}")
    requirements = sorted({u.detail for u in repair.requirements})
    for line in requirements[:10]:
        print(f"  requirement: {line}")

    audits: dict[str, dict[str, int]] = {}
    for relpath in fixed:
        found = find_breaking(root, relpath)
        if found is None:
            continue
        reference = author_reference(root, relpath, found[0], found[1])
        if reference is None:
            continue
        audits[relpath] = {r.kind: r.count for r in judge((root / relpath).read_bytes(), reference)}
    print(f"\nrepair-quality audit of the {len(fixed)} file(s) canon fix changed, {len(audits)} with a "
          "pre-damage version (files with it / total amount; every column must be 0):\n")
    print("| audited | " + " | ".join(KINDS) + " |")
    print("|---|" + "---|" * len(KINDS))
    print(f"| {len(audits)} | " + " | ".join(
        f"{sum(1 for a in audits.values() if a.get(k))} / {sum(a.get(k, 0) for a in audits.values())}"
        for k in KINDS) + " |")
    # the peer, measured in the same run on the same machine: pytest collecting the tree before
    peer = repair.stages[0].seconds
    print(f"\ncanon fix (repair and proof): {repair.fix_seconds:.0f}s for {len(verdicts)} broken file(s), "
          f"{args.jobs} processes, {repair.fix_seconds / peer:.2f}x the collection before ({peer:.0f}s); "
          f"its stage with the collection after: {fix_seconds:.0f}s; whole command {total:.0f}s")
    if args.rows:
        args.rows.write_text(json.dumps({
            "files": files, "stages": [stage.to_json() for stage in repair.stages],
            "causes": {name: dict(by_cause(h, index)) for name, h in healths.items()},
            "clusters": {name: [{"cause": c.cause, "kind": cause_of(c.cause, index), "files": sorted(c.files)}
                                for c in h.clusters] for name, h in healths.items()},
            "repair": repair.to_json(), "audit": audits,
            "repaired": fixed}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
