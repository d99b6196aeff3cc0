"""`canon collect`: which test files fail to collect, clustered by root cause."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import TEXT_OR_JSON, OutputFormat, format_option


def _positive_seconds(value: Optional[float]) -> Optional[float]:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"must be a positive number of seconds, not {value}")
    return value


def register(app: typer.Typer) -> None:
    app.command("collect")(collect_command)


def collect_command(
    paths: Optional[list[str]] = typer.Argument(None, help="Test files or folders."),
    output_format: OutputFormat = format_option(TEXT_OR_JSON),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Files per pytest process."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="pytest processes at once (default: one per core)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", callback=_positive_seconds,
                                            help="Seconds for the whole collection "
                                                 "(default: collect_timeout)."),
    python: Optional[str] = typer.Option(None, "--python", metavar="PATH",
                                         help="Interpreter or venv that collects (default: the project's)."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Say which interpreter collects, and what the collection is doing "
                                      "(as `canon -v`)."),
    repair: bool = typer.Option(False, "--repair", help="Repair moved imports, unregistered markers and "
                                "NameErrors on import, verified by collection in an isolated copy; "
                                "journalled (canon undo)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --repair: verify, report, write nothing."),
    syntax: bool = typer.Option(True, "--syntax/--no-syntax",
                                help="With --repair: first repair the files that do not compile, as "
                                     "canon fix does."),
    write_baseline: bool = typer.Option(False, "--write-baseline",
                                        help="Record today's uncollectable files as "
                                             "known debt for canon run."),
) -> None:
    """Collect every test file with pytest (in subprocesses) and cluster the failures."""
    from testcanon.config import load_project
    from testcanon.output.log import configure
    from testcanon.output.progress import PhaseStatus
    from testcanon.runner.collect import collect_health
    from testcanon.runner.collect_render import render_collect
    from testcanon.target import resolve_python

    if verbose:
        configure(1)
    paths = paths or []
    project = load_project(paths[0] if paths else Path("."))
    target = resolve_python(project.root, cli=python, config=project.config.python)
    target.require_pytest()
    if repair or dry_run:
        from testcanon.cli._collect_repair import run_repair

        run_repair(project, target, paths, output_format=output_format.value, dry_run=dry_run,
                   batch_size=batch_size, timeout=timeout, fix_syntax=syntax, jobs=jobs)
        return
    with PhaseStatus("canon collect"):
        health = collect_health(project, paths, batch_size=batch_size, timeout=timeout, target=target,
                                jobs=jobs)
    if write_baseline:
        from testcanon.adopt.uncollectable import write_collection_baseline

        typer.echo(write_collection_baseline(project, health, paths))
        return
    render_collect(output_format, health, target, verbose=verbose)
    if health.failed_files:
        raise typer.Exit(1)
