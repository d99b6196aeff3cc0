"""`canon collect`: which test files pytest cannot collect, clustered by root cause.

pytest runs `--collect-only` in a subprocess per batch of files (never with xdist, which
turns a collection error into exit 1 and can hide it), each batch time-limited; a batch that
times out is split in halves until the slow file is alone. Errors come from the testcanon
plugin's results file, so every failing file is named, whatever the exit code. Files that do
not compile are not collected: their `canon scan` findings are reported instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.config import Project
from testcanon.runner.execute import read_results
from testcanon.runner.selection import test_files
from testcanon.syntax import scan

_EXCEPTION_LINE = re.compile(r"^E\s+([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)[^\n]*)$", re.M)
_CHAIN = re.compile(r"^([^\s:][^:\n]*\.py):(\d+): in ", re.M)
_NUMBERS = re.compile(r"\b\d+\b")


@dataclass(frozen=True)
class CollectionError:
    path: str
    cause: str
    chain: tuple[str, ...]


@dataclass
class Cluster:
    cause: str
    files: list[str] = field(default_factory=list)
    chain: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"cause": self.cause, "files": sorted(self.files), "count": len(self.files),
                "example_chain": list(self.chain)}


@dataclass
class CollectionHealth:
    test_files: int
    collected: int
    errors: list[CollectionError]
    syntax: list[tuple[str, str]]  # (path, message) from canon scan
    timed_out: list[str]

    @property
    def failed_files(self) -> int:
        return len({e.path for e in self.errors} | {p for p, _ in self.syntax} | set(self.timed_out))

    @property
    def clusters(self) -> list[Cluster]:
        groups: dict[str, Cluster] = {}
        for error in self.errors:
            cluster = groups.setdefault(error.cause, Cluster(error.cause, chain=error.chain))
            cluster.files.append(error.path)
        for path, message in self.syntax:
            key = f"does not compile: {message}"
            groups.setdefault(key, Cluster(key)).files.append(path)
        if self.timed_out:
            groups["collection timed out"] = Cluster("collection timed out", list(self.timed_out))
        return sorted(groups.values(), key=lambda c: (-len(c.files), c.cause))

    def to_json(self) -> dict[str, object]:
        return {"test_files": self.test_files, "collected": self.collected,
                "failed_files": self.failed_files,
                "success": f"{self.collected}/{self.test_files}",
                "clusters": [c.to_json() for c in self.clusters]}


def root_cause(longrepr: str) -> tuple[str, tuple[str, ...]]:
    """The normalised exception line of a collection error, and the import chain to it."""
    lines = _EXCEPTION_LINE.findall(longrepr)
    cause = lines[-1].strip() if lines else (longrepr.strip().splitlines() or ["unknown error"])[-1]
    if not cause.startswith(("ModuleNotFoundError", "ImportError")):
        cause = _NUMBERS.sub("N", cause)
    chain = tuple(f"{path}:{line}" for path, line in _CHAIN.findall(longrepr)
                  if not path.startswith(("/", "<")))  # the repository's own files only
    return cause[:300], chain


def collect_health(project: Project, paths: list[str] | None = None, *, batch_size: int | None = None,
                   timeout: float | None = None) -> CollectionHealth:
    files = test_files(project, paths or ())
    report = scan(project, files)
    broken = {f.path: f.message for f in report.findings}
    candidates = [f.relpath for f in files if f.relpath not in broken]
    size = batch_size or project.config.runner.collect_batch_size
    limit = timeout or project.config.runner.collect_timeout
    errors: list[CollectionError] = []
    timed_out: list[str] = []
    queue = [candidates[i:i + size] for i in range(0, len(candidates), size)]
    while queue:
        batch = queue.pop(0)
        outcome = _collect_batch(project, batch, limit)
        if outcome is None:
            if len(batch) == 1:
                timed_out.append(batch[0])
            else:
                half = len(batch) // 2
                queue[:0] = [batch[:half], batch[half:]]
            continue
        errors += outcome
    failed = {e.path for e in errors}
    collected = len([f for f in candidates if f not in failed and f not in timed_out])
    return CollectionHealth(len(files), collected, errors, sorted(broken.items()), timed_out)


def _collect_batch(project: Project, batch: list[str], timeout: float):
    with tempfile.TemporaryDirectory(prefix="canon-collect-") as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {**os.environ, "TESTCANON_RESULTS_FILE": str(results)}
        command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
                   "-p", "no:cacheprovider", "--continue-on-collection-errors", *batch]
        try:
            subprocess.run(command, cwd=project.root, env=env, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        entries = read_results(results)
    errors = []
    for entry in entries:
        if entry.outcome == "collection_error":
            cause, chain = root_cause(entry.longrepr)
            errors.append(CollectionError(entry.nodeid.split("::")[0], cause, chain))
    return errors


def group_by_cause(errors: list[CollectionError]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for error in errors:
        groups[error.cause].append(error.path)
    return dict(groups)
