"""`canon scan`: find every file that the interpreter cannot compile, fast and cached.

The main process stats every file and answers from the cache what it can; only files whose
stat data changed are read (and hashed), and only files whose content changed are compiled,
in worker processes when there are enough of them to be worth the start-up.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from testcanon import limits
from testcanon.config import Project
from testcanon.findings import Finding
from testcanon.source import SourceFile
from testcanon.syntax.cache import ScanCache, cache_path, now_ns
from testcanon.syntax.compile_check import KIND_CODES, Checked, Problem, check_file

# Below this many files to compile, worker start-up costs more than it saves.
_PARALLEL_MIN_FILES = 48

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ScanReport:
    """What a scan found: one finding per file that does not compile."""

    files: int
    findings: list[Finding]
    cached: int
    compiled: int
    elapsed: float
    priority_of: dict[str, int] = field(default_factory=dict)


def default_jobs() -> int:
    """CPUs this process may actually use (affinity-aware, unlike os.cpu_count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def scan(
    project: Project,
    files: Sequence[SourceFile],
    *,
    jobs: int | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> ScanReport:
    """Compile-check `files`; findings come back in the order of `files` (priority first)."""
    started = time.perf_counter()
    max_size = project.config.max_file_size
    limits.configure(limits.Budget(project.config.file_time_budget, project.config.file_memory_budget))
    cache = ScanCache.load(cache_path(project.root), max_size) if use_cache else None
    results: dict[str, Problem | None] = {}
    inodes: dict[str, int] = {}
    pending: list[tuple[SourceFile, int, bytes]] = []

    # The warm path: one stat per file and a dict lookup; this loop is the whole cost of a
    # re-scan with nothing changed, so it is kept free of calls it does not need.
    by_stat = cache.by_stat if cache is not None else None
    stat_file = os.stat
    for source in files:
        relpath = source.relpath
        try:
            stat = stat_file(source.abspath)
        except OSError:
            pending.append((source, 0, b""))
            continue
        inodes[relpath] = stat.st_ino
        if by_stat is not None:
            hit = by_stat(relpath, (stat.st_size, stat.st_mtime_ns, stat.st_ino))
            if hit is not False:
                results[relpath] = hit  # type: ignore[assignment]
                continue
        pending.append((source, stat.st_size, cache.digest_of(relpath) if cache else b""))
    cached = len(results)
    if progress:
        progress(cached, len(files))

    compiled = 0
    stamp = now_ns()
    for checked in _check_all(pending, max_size, jobs, progress, cached, len(files)):
        if checked.unchanged and cache is not None:
            checked = checked._replace(problem=cache.problem_of(checked.relpath))
            cached += 1
        else:
            compiled += 1
        if cache is not None:
            cache.store(checked, inodes.get(checked.relpath, 0), stamp)
        results[checked.relpath] = checked.problem

    if cache is not None:
        cache.prune(project.root, {source.relpath for source in files})
        cache.save()

    from testcanon.syntax.version import project_target, valid_for_target

    target = project_target(project.root, getattr(project.config, "target_version", ""))
    findings = [
        _to_finding(source.relpath, problem)
        for source in files
        if (problem := results.get(source.relpath)) is not None
        and not valid_for_target(problem.message, target)  # newer syntax the project targets
    ]
    return ScanReport(
        files=len(files),
        findings=findings,
        cached=cached,
        compiled=compiled,
        elapsed=time.perf_counter() - started,
        priority_of={source.relpath: source.priority for source in files},
    )


def _check_all(
    pending: list[tuple[SourceFile, int, bytes]],
    max_size: int,
    jobs: int | None,
    progress: Progress | None,
    done: int,
    total: int,
):
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(pending) < _PARALLEL_MIN_FILES:
        for source, _size, known in pending:
            yield check_file(source.abspath, source.relpath, max_size, known)
            done += 1
            if progress:
                progress(done, total)
        return
    from testcanon.limits import worker_pool  # only paid for when it is used

    batches = _batches(pending, jobs)
    with worker_pool(jobs, fork=True) as pool:
        for batch_result in pool.map(_check_batch, batches, [max_size] * len(batches)):
            yield from batch_result
            done += len(batch_result)
            if progress:
                progress(done, total)


def _batches(
    pending: list[tuple[SourceFile, int, bytes]], jobs: int
) -> list[list[tuple[str, str, bytes]]]:
    """Split into ~16 batches per worker of similar byte size, largest files first."""
    ordered = sorted(pending, key=lambda item: -item[1])
    total_bytes = sum(item[1] for item in ordered) or 1
    target = max(total_bytes // (jobs * 16), 1)
    batches: list[list[tuple[str, str, bytes]]] = [[]]
    filled = 0
    for source, size, known in ordered:
        if filled >= target and len(batches[-1]) > 0:
            batches.append([])
            filled = 0
        batches[-1].append((source.abspath, source.relpath, known))
        filled += size
    return batches


def _check_batch(batch: list[tuple[str, str, bytes]], max_size: int) -> list[Checked]:
    # Parsing builds large trees that refcounting frees at once; the cycle collector only
    # walks them in vain (about 15% of the compile time), so it is off in the workers.
    gc.disable()
    return [check_file(path, relpath, max_size, known) for path, relpath, known in batch]


def _to_finding(relpath: str, problem: Problem) -> Finding:
    return Finding(
        code=KIND_CODES[problem.kind],
        message=problem.message,
        path=relpath,
        line=problem.line,
        column=problem.column,
        end_line=problem.end_line,
        end_column=problem.end_column,
        snippet=problem.kind,
        frame=problem.frame,
        data={"kind": problem.kind},
    )
