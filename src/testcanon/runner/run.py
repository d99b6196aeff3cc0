"""`canon run`: resolve the target, plan, start services, execute (bounded), record, summarise."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.config import Project
from testcanon.errors import UsageError
from testcanon.rules.baseline import known_uncollectable
from testcanon.runner import history
from testcanon.runner.execute import CategoryRun, run_category
from testcanon.runner.planning import (
    Batch,
    Plan,
    category_markers,
    from_test_set,
    relative_args,
    single_invocation,
)
from testcanon.runner.pytest_ini import addopts, sets_parallelism
from testcanon.runner.selection import UNCATEGORIZED
from testcanon.runner.services import ServicePool
from testcanon.runner.testset import collect_test_set
from testcanon.target import TargetPython, resolve_python

# Below this much expected time (from history) xdist's start-up costs more than it saves.
PARALLEL_MIN_SECONDS = 10.0


@dataclass
class RunOptions:
    paths: Sequence[Path | str] = ()
    categories: Sequence[str] = ()
    pytest_args: list[str] = field(default_factory=list)
    fail_fast: bool = True
    serial: bool = False
    workers: str | None = None
    shard: str | None = None
    environment: str | None = None
    junit_xml: Path | None = None
    coverage: bool = False
    stream: bool = False
    only_files: Sequence[str] | None = None
    python: str | None = None


@dataclass
class RunReport:
    runs: list[CategoryRun]
    stopped_after_layer: int | None
    services_started: list[str]
    run_id: int
    exit_code: int
    seconds: float
    target: TargetPython | None = None
    not_run: dict[str, str] = field(default_factory=dict)
    shard: dict[str, object] | None = None
    collected: bool = False  # True when a collection pass chose the files (else the project's invocation)

    def to_json(self) -> dict[str, object]:
        return {
            "exit_code": self.exit_code, "run_id": self.run_id, "seconds": round(self.seconds, 3),
            "stopped_after_layer": self.stopped_after_layer,
            "python": self.target.to_json() if self.target else None,
            "invocation": "collected" if self.collected else "project",
            "categories": [r.to_json() for r in self.runs],
            "failures": [{"category": r.category, "reason": r.failure} for r in self.runs if r.failure],
            "not_run": [{"file": path, "reason": why} for path, why in sorted(self.not_run.items())],
            "shard": self.shard,
            "tests": [{**t.to_json(), "category": r.category} for r in self.runs for t in r.results],
        }


def check_options(project: Project, options: RunOptions) -> None:
    config = project.config
    known = set(config.categories) | {UNCATEGORIZED}
    unknown = [c for c in options.categories if c not in known]
    if unknown:
        import difflib

        hint = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        raise UsageError(f"unknown category '{unknown[0]}'"
                         + (f" (did you mean '{hint[0]}'?)" if hint else "")
                         + f"; configured: {', '.join(sorted(known))}")
    if options.environment and options.environment not in config.environments:
        raise UsageError(f"unknown environment '{options.environment}'; configured: "
                         f"{', '.join(sorted(config.environments)) or 'none'}")


def execute(project: Project, options: RunOptions, *, on_category=None,
            target: TargetPython | None = None,
            while_running: Callable[[], object] | None = None) -> RunReport:
    """Run the plan; `while_running` is called (in a thread) once, when the first pytest process
    has started."""
    config = project.config
    check_options(project, options)
    target = target or resolve_python(project.root, cli=options.python, config=config.python)
    target.require_pytest()
    if options.coverage and not target.has("pytest_cov"):
        raise UsageError(f"--coverage needs pytest-cov in {target.executable} "
                         f"(`{target.executable} -m pip install pytest-cov`)")
    if options.workers and not options.serial and not target.has("xdist"):
        raise UsageError(f"--workers needs pytest-xdist in {target.executable} "
                         f"(`{target.executable} -m pip install pytest-xdist`)")
    started_at, started = time.time(), time.perf_counter()
    deadline = time.monotonic() + config.runner.timeout
    asking = ThreadPoolExecutor(1, thread_name_prefix="canon-revision")
    revision = asking.submit(history.revision, project.root)  # git, while the tests run
    asking.shutdown(wait=False)
    extra = [*config.runner.pytest_args, *options.pytest_args]
    # test files the committed baseline accepts as uncollectable (unchanged since): known debt,
    # left out of every pytest process and reported as not run; a new or edited one still fails
    known_debt = known_uncollectable(project)
    extra += [f"--ignore={project.root / path}" for path in known_debt]

    run_plan, collection_failure = _plan(project, target, options, extra, deadline)
    run_plan.not_run.update(known_debt)
    pool = ServicePool(config.services)
    runs: list[CategoryRun] = [collection_failure] if collection_failure else []
    stopped: int | None = None
    coverage_file = _coverage_file(project) if options.coverage else None
    own_options = addopts(project.root)
    all_layers = sorted({b.layer for b in run_plan.batches})
    try:
        for layer in all_layers:
            for batch in [b for b in run_plan.batches if b.layer == layer]:
                settings = config.categories.get(batch.category)
                env: dict[str, str] = {}
                if options.environment:
                    env.update(config.environments[options.environment].env)
                elif settings and settings.services:
                    env.update(pool.ensure(list(settings.services)))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    run = CategoryRun(layer, batch.category, batch.files, [], 1, 0.0,
                                      failure=f"not started: the run's timeout ({config.runner.timeout:g}s, "
                                              "[tool.testcanon.runner] timeout) was spent")
                else:
                    workers = _workers(project, options, target, [*own_options, *extra], batch)
                    test_timeout = settings.timeout if settings and target.has("pytest_timeout") else None
                    run = run_category(project, target, layer=layer, category=batch.category,
                                       files=batch.files,
                                       args=batch.args, env=env, workers=workers, test_timeout=test_timeout,
                                       timeout=remaining, extra=extra,
                                       junit=_junit_path(options.junit_xml, layer, batch.category),
                                       coverage=coverage_file, stream=options.stream, planned=batch.planned,
                                       while_running=while_running)
                    while_running = None
                    if run.failure.startswith("timed out after"):  # the bound was what remained of the run's
                        run.failure = (f"timed out: the run's timeout ({config.runner.timeout:g}s, "
                                       "[tool.testcanon.runner] timeout) was reached before pytest finished"
                                       + run.failure.partition(" finished")[2])
                runs.append(run)
                if on_category:
                    on_category(run)
            if options.fail_fast and not all(r.ok for r in runs if r.layer == layer):
                stopped = layer if layer != all_layers[-1] else None  # None: nothing was left unrun
                break
    finally:
        started_services = pool.started
        pool.close()
    exit_code = 0 if all(r.ok for r in runs) else 1
    if options.junit_xml:
        _merge_junit(options.junit_xml, [_junit_path(options.junit_xml, r.layer, r.category) for r in runs])
    command = "canon run" + (" -n" if any(r.workers for r in runs) else "")
    run_id = history.record(project.root, runs, started=started_at, command=command, exit_code=exit_code,
                            at=revision.result())
    if coverage_file is not None:
        from testcanon.runner.coverage_areas import record_areas

        record_areas(project, coverage_file, run_id)
    return RunReport(runs, stopped, started_services, run_id, exit_code, time.perf_counter() - started,
                     target=target, not_run=run_plan.not_run, shard=run_plan.shard,
                     collected=(any(b.planned is not None for b in run_plan.batches)
                                or bool(collection_failure)))


def _plan(project: Project, target: TargetPython, options: RunOptions, extra: list[str],
          deadline: float) -> tuple[Plan, CategoryRun | None]:
    selecting = bool(options.shard) or options.only_files is not None
    single = single_invocation(project, options.paths, options.categories, selecting=selecting)
    if single is not None:
        return Plan([single]), None
    limit = min(project.config.runner.collect_timeout, max(deadline - time.monotonic(), 0.001))
    tests = collect_test_set(project, target, relative_args(project, options.paths), extra,
                             timeout=limit, markers=category_markers(project))
    if tests.failure:
        failed = CategoryRun(0, "collection", [], tests.errors, 1, tests.seconds,
                             failure=f"collecting the test set failed: {tests.failure}")
        return Plan([]), failed
    return from_test_set(project, tests, categories=options.categories, only_files=options.only_files,
                         shard=options.shard), None


def _workers(project: Project, options: RunOptions, target: TargetPython, own_options: list[str],
             batch: Batch) -> str | None:
    """xdist workers, only where they cannot make the run slower than the project's own command."""
    if options.serial:
        return None
    if options.workers:
        return options.workers
    if not target.has("xdist") or sets_parallelism(own_options):
        return None  # the project already chose its parallelism (or cannot have any)
    known = history.file_durations(project.root)
    if batch.planned is not None:
        expected = sum(known.get(f, 0.0) for f in batch.files)
        tests = len(batch.planned)
    else:
        expected, tests = sum(known.values()), history.last_test_count(project.root)
    runner = project.config.runner
    if tests <= runner.parallel_threshold or expected < PARALLEL_MIN_SECONDS:
        return None
    if history.xdist_unsafe(project.root) or history.parallel_slower(project.root):
        return None
    if idle_cores() < 1:
        return None  # every core is busy already: workers would only add their start-up
    return runner.workers


def idle_cores() -> float:
    """Cores nobody is using now (CPUs less the 1-minute load average): xdist can make a run
    faster only where there are some; on a machine already saturated its workers cost more."""
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # not on this platform: assume the machine is free
        return float(os.cpu_count() or 1)
    return (os.cpu_count() or 1) - load


def _junit_path(base: Path | None, layer: int, category: str) -> Path | None:
    if base is None:
        return None
    return base.with_name(f".{base.stem}.{layer}.{category}{base.suffix or '.xml'}")


def _merge_junit(target: Path, parts: list[Path | None]) -> None:
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites")
    for part in parts:
        if part is None or not part.exists():
            continue
        root = ET.parse(part).getroot()
        for suite in ([root] if root.tag == "testsuite" else list(root)):
            suites.append(suite)
        part.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(target, encoding="utf-8", xml_declaration=True)


def _coverage_file(project: Project) -> Path:
    directory = project.root / ".testcanon" / "coverage"
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / ".coverage"
    for old in directory.glob(".coverage*"):
        old.unlink()
    (directory / ".coveragerc").write_text(
        "[run]\nbranch = True\nparallel = False\nomit =\n    */.venv/*\n    */site-packages/*\n")
    return data
