"""`canon collect`: which test files pytest cannot collect, clustered by root cause.

pytest runs `--collect-only` in the target interpreter (`testcanon.target`), in a subprocess
per batch of files (xdist switches itself off for collection). `collect_timeout` bounds the
whole command, not each attempt: each batch gets the time that remains; a batch that times
out is split in halves, retried while the bound leaves time, until the slow file is alone or the time is
spent, and the files never collected are named as timed out. Errors come from the
`testcanon_results` shim's file, so every failing file is named, whatever the exit code; a
batch whose pytest did not finish its session (a usage error such as a project's
`--cache-clear` meeting our options, `os._exit`, a crash) fails all its files with that
reason, never reads as "0 failing"; unless the reason is a usage error (which stops every
batch alike), such a batch is first split in halves, so a file that ends the session sinks only
itself. Files that do not compile are not collected: their `canon scan` findings are reported instead.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from testcanon.config import Project
from testcanon.runner.execute import run_pytest
from testcanon.runner.results import done_with, exited_at_import, failure_reason, split_at_stopper
from testcanon.runner.selection import test_files
from testcanon.syntax import scan
from testcanon.syntax.compile_check import Problem
from testcanon.syntax.version import is_version_specific
from testcanon.target import TargetPython, resolve_python

_EXCEPTION_LINE = re.compile(r"^E\s+([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)[^\n]*)$", re.M)
_CHAIN = re.compile(r"^([^\s:][^:\n]*\.py):(\d+): in ", re.M)
_NUMBERS = re.compile(r"\b\d+\b")
_MISMATCH = re.compile(r"^import file mismatch:\s*imported module '(?P<module>[\w.]+)'", re.M)
# where a module imported during collection does not compile: Python prints the site above the error
_SYNTAX_SITE = re.compile(r'^E\s+File "(?P<path>[^"\n]+)", line (?P<line>\d+)$', re.M)
_SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
_WHOLE_BATCH = ("<the whole batch>",)  # marks the errors of a batch pytest stopped as a whole

_log = logging.getLogger(__name__)


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
    target: TargetPython | None = None
    tests_by_file: dict[str, int] = field(default_factory=dict)  # node ids pytest collected, per file

    @property
    def tests(self) -> int:
        return sum(self.tests_by_file.values())

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
                "failed_files": self.failed_files, "tests": self.tests,
                "success": f"{self.collected}/{self.test_files}",
                "python": self.target.to_json() if self.target else None,
                "clusters": [c.to_json() for c in self.clusters]}


def root_cause(longrepr: str, root: Path | None = None) -> tuple[str, tuple[str, ...]]:
    """The normalised exception line of a collection error, and the import chain to it.

    A module that does not compile, imported by the test (a helper, the product), is named in
    the cause with its line, relative to `root`: every test importing it fails for that one file,
    which no other line of the report names."""
    if (mismatch := _MISMATCH.search(longrepr)) is not None:
        # pytest's last line ("HINT: remove __pycache__ ...") names neither the module nor the cause
        return (f"import file mismatch: '{mismatch.group('module')}' is already another file's module "
                "(a copy of its package elsewhere in the run): exclude the copy or rename one"), ()
    lines = _EXCEPTION_LINE.findall(longrepr)
    cause = lines[-1].strip() if lines else (longrepr.strip().splitlines() or ["unknown error"])[-1]
    chain = tuple(f"{path}:{line}" for path, line in _CHAIN.findall(longrepr)
                  if not path.startswith(("/", "<")))  # the repository's own files only
    if cause.startswith(_SYNTAX_ERRORS) and (sites := _SYNTAX_SITE.findall(longrepr)):
        path, line = _in_root(sites[-1][0], root), int(sites[-1][1])
        return _syntax_error_cause(cause, path, line, root)[:400], (*chain, f"{path}:{line}")
    if not cause.startswith(("ModuleNotFoundError", "ImportError")):
        cause = _NUMBERS.sub("N", cause)
    return cause[:300], chain


def imports_what_does_not_compile(cause: str) -> bool:
    """Whether a cause (`root_cause`) names a module the test imports that does not compile."""
    return _SYNTAX_ERROR_CAUSE.match(cause) is not None


_SYNTAX_ERROR_CAUSE = re.compile(rf"(?:{'|'.join(_SYNTAX_ERRORS)}) in \S+:\d+: ")


def _syntax_error_cause(cause: str, path: str, line: int, root: Path | None) -> str:
    """`SyntaxError in helpers/auth.py:254: ...`, saying when the module is valid on a newer
    Python than the one that collected it (PEP 701 f-strings are 3.12's)."""
    kind, _, message = cause.partition(": ")
    if root is not None and _valid_on_newer_python(root / path, message, line):
        message = f"{message} (valid only on Python 3.12+, PEP 701 f-string; not on the target's Python)"
    return f"{kind} in {path}:{line}: {message}"


def _in_root(path: str, root: Path | None) -> str:
    site = Path(path)
    if root is not None and site.is_absolute() and site.is_relative_to(root):
        return site.relative_to(root).as_posix()
    return path


@lru_cache(maxsize=256)
def _valid_on_newer_python(path: Path, message: str, line: int) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return is_version_specific(Problem("syntax-error", message, line, 0, line, 0, ""), text)


# a batch's files, tests per file, files done with, files whose import exited
_Batch = tuple[list[str], dict[str, int], set[str], list[str]]


def collect_health(project: Project, paths: list[str] | None = None, *, batch_size: int | None = None,
                   timeout: float | None = None, target: TargetPython | None = None,
                   env: dict[str, str] | None = None, jobs: int | None = None) -> CollectionHealth:
    """Collect `paths` (default: every test file); `env` is added to the collecting process's
    environment (an isolated copy puts itself first on PYTHONPATH). Batches are collected
    `jobs` at a time (default: one per core), each in its own pytest process."""
    target = target or resolve_python(project.root, config=project.config.python)
    target.require_pytest()
    files = test_files(project, paths or ())
    report = scan(project, files)
    broken = {f.path: f.message for f in report.findings}
    candidates = [f.relpath for f in files if f.relpath not in broken]
    size = batch_size or project.config.runner.collect_batch_size
    limit = timeout or project.config.runner.collect_timeout
    deadline = time.monotonic() + limit
    errors: list[CollectionError] = []
    timed_out: list[str] = []
    tests: dict[str, int] = {}
    queue = [candidates[i:i + size] for i in range(0, len(candidates), size)]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(queue)))
    _log.info("collecting %d file(s) in %d pytest run(s) of up to %d, %d at a time (%d do not compile)",
              len(candidates), len(queue), size, workers, len(broken))
    running: dict[Future[list[CollectionError] | None], _Batch] = {}
    with ThreadPoolExecutor(workers) as pool:  # each batch is its own pytest process
        while queue or running:
            while queue and len(running) < workers:
                batch, remaining = queue.pop(0), deadline - time.monotonic()
                if remaining <= 0:
                    timed_out += batch
                    continue
                counted: dict[str, int] = {}
                reached: set[str] = set()
                exited: list[str] = []
                future = pool.submit(_collect_batch, project, target, batch, remaining, env or {}, counted,
                                     reached, exited)
                running[future] = (batch, counted, reached, exited)
            done, _ = wait(running, return_when=FIRST_COMPLETED) if running else (set(), set())
            for future in done:
                batch, counted, reached, exited = running.pop(future)
                outcome = future.result()
                if outcome is None or (len(batch) > 1 and any(e.chain == _WHOLE_BATCH for e in outcome)):
                    # timed out: halves, until a file that takes too long is alone; a file stopped the
                    # whole batch: the files before it, it alone, the files after it (halves when
                    # where it stopped is not known)
                    if outcome is None and len(batch) == 1:
                        timed_out.append(batch[0])
                    else:
                        pieces = None if outcome is None else split_at_stopper(batch, reached)
                        _log.info("a run of %d file(s) %s: collecting %s", len(batch),
                                  "timed out" if outcome is None else "stopped as a whole",
                                  "its halves" if pieces is None else "around the file that stopped it")
                        queue[:0] = pieces or [batch[:len(batch) // 2], batch[len(batch) // 2:]]
                    continue
                if exited and len(exited) < len(batch):
                    # whether a module exits often depends on what ran before it in the process: the
                    # files that exited are collected again in a run of their own
                    _log.info("%d file(s) of a run of %d exited at import: collecting them again apart",
                              len(exited), len(batch))
                    again = set(exited)
                    outcome = [e for e in outcome if e.path not in again]
                    queue[:0] = [exited]
                errors += [e if e.chain != _WHOLE_BATCH else CollectionError(e.path, e.cause, ())
                           for e in outcome]
                for path, count in counted.items():
                    tests[path] = tests.get(path, 0) + count
    failed = {e.path for e in errors}
    collected = len([f for f in candidates if f not in failed and f not in timed_out])
    return CollectionHealth(len(files), collected, errors, sorted(broken.items()), sorted(timed_out), target,
                            {path: count for path, count in sorted(tests.items()) if path not in failed})


def _collect_batch(project: Project, target: TargetPython, batch: list[str], timeout: float,
                   env: dict[str, str], tests: dict[str, int], reached: set[str] | None = None,
                   exited: list[str] | None = None) -> list[CollectionError] | None:
    """The batch's collection errors (its tests counted per file into `tests`, the files pytest
    was done with into `reached`, those whose import exited into `exited`); None when it timed out."""
    # a project's `--maxfail` stops collection after that many errors: the files after them would
    # read as collected
    finished, events = run_pytest(project, target, ["--collect-only", "-q", "--continue-on-collection-errors",
                                                    "--maxfail=0", *batch], env=env, timeout=timeout,
                                  exit_at_import_is_error=True)
    if finished.timed_out:
        return None
    if reached is not None:
        reached |= done_with(events)
    if exited is not None:
        exited += exited_at_import(events)
    for nodeid, _markers in events.collected or ():
        path = nodeid.split("::")[0]
        tests[path] = tests.get(path, 0) + 1
    errors = []
    for entry in events.results:
        if entry.outcome == "collection_error":
            cause, chain = root_cause(entry.longrepr, project.root)
            errors.append(CollectionError(entry.nodeid.split("::")[0], cause, chain))
    reason = failure_reason(finished, events)
    # interrupted (2) or an internal error (3): a file stopped collection midway (KeyboardInterrupt
    # while pytest imported it, `sys.exit` in a conftest; in a test module the shim makes it the
    # module's error); the files after it read as collected with no
    # test and no error, so the batch fails as a whole, whatever errors came before
    stopped = finished.returncode in (2, 3)
    if reason and (stopped or not (events.session is not None and errors)):
        tail = [line.strip() for line in finished.output.strip().splitlines()[-3:]]
        output = _NUMBERS.sub("N", " | ".join(tail))[-200:]  # no paths of temporary dirs split a cluster
        cause = f"pytest could not collect: {reason}" + (f" ({output})" if output else "")
        named = {e.path for e in errors}
        # a usage error (exit 4) stops every batch alike; anything else may be one file's doing
        mark = () if "exit code 4" in reason else _WHOLE_BATCH
        errors += [CollectionError(path, cause[:400], mark) for path in batch if path not in named]
    return errors


def group_by_cause(errors: list[CollectionError]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for error in errors:
        groups[error.cause].append(error.path)
    return dict(groups)
