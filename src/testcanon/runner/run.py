"""`canon run`: select, order in layers, start services, execute, record, summarise."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.config import Project
from testcanon.errors import UsageError
from testcanon.runner import history
from testcanon.runner.execute import CategoryRun, run_category
from testcanon.runner.selection import UNCATEGORIZED, classify, layers, test_files
from testcanon.runner.services import ServicePool
from testcanon.runner.shards import parse_shard, plan


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


@dataclass
class RunReport:
    runs: list[CategoryRun]
    stopped_after_layer: int | None
    services_started: list[str]
    run_id: int
    exit_code: int
    seconds: float


def execute(project: Project, options: RunOptions, *, on_category=None) -> RunReport:
    config = project.config
    known = set(config.categories) | {UNCATEGORIZED}
    unknown = [c for c in options.categories if c not in known]
    if unknown:
        import difflib

        hint = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        raise UsageError(f"unknown category '{unknown[0]}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                         + f"; configured: {', '.join(sorted(known))}")
    if options.environment and options.environment not in config.environments:
        raise UsageError(f"unknown environment '{options.environment}'; configured: "
                         f"{', '.join(sorted(config.environments)) or 'none'}")
    files = classify(project, test_files(project, options.paths))
    if options.only_files is not None:
        wanted = set(options.only_files)
        files = [f for f in files if f.relpath in wanted]
    if options.categories:
        files = [f for f in files if f.category in options.categories]
    if options.shard:
        k, n = parse_shard(options.shard)
        chosen = set(plan([f.relpath for f in files], history.file_durations(project.root), n)[k - 1].files)
        files = [f for f in files if f.relpath in chosen]

    started_at, started = time.time(), time.perf_counter()
    pool = ServicePool(config.services)
    runs: list[CategoryRun] = []
    stopped: int | None = None
    coverage_file = _coverage_file(project) if options.coverage else None
    try:
        for layer, categories in layers(files):
            for category, category_files in sorted(categories.items()):
                settings = config.categories.get(category)
                env: dict[str, str] = {}
                if options.environment:
                    env.update(config.environments[options.environment].env)
                elif settings and settings.services:
                    env.update(pool.ensure(list(settings.services)))
                workers = _workers(project, options, len(category_files))
                junit = _junit_path(options.junit_xml, layer, category)
                run = run_category(project, layer=layer, category=category, files=sorted(category_files),
                                   env=env, workers=workers, timeout=settings.timeout if settings else None,
                                   extra=[*config.runner.pytest_args, *options.pytest_args], junit=junit,
                                   coverage=coverage_file, stream=options.stream)
                runs.append(run)
                if on_category:
                    on_category(run)
            if options.fail_fast and not all(r.ok for r in runs if r.layer == layer):
                stopped = layer
                break
    finally:
        started_services = pool.started
        pool.close()
    exit_code = 0 if all(r.ok for r in runs) else 1
    if options.junit_xml:
        _merge_junit(options.junit_xml, [_junit_path(options.junit_xml, r.layer, r.category) for r in runs])
    run_id = history.record(project.root, runs, started=started_at, command="canon run", exit_code=exit_code)
    if coverage_file is not None:
        from testcanon.runner.coverage_areas import record_areas

        record_areas(project, coverage_file, run_id)
    return RunReport(runs, stopped, started_services, run_id, exit_code, time.perf_counter() - started)


def _workers(project: Project, options: RunOptions, files: int) -> str | None:
    if options.serial:
        return None
    if options.workers:
        return options.workers
    runner = project.config.runner
    # Without collecting, the number of files stands in for the number of tests (x10).
    return runner.workers if files * 10 > runner.parallel_threshold else None


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
