"""`canon collect`: which test files fail to collect, clustered by root cause."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import TextOrJson


def _positive_seconds(value: Optional[float]) -> Optional[float]:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"must be a positive number of seconds, not {value}")
    return value


def register(app: typer.Typer) -> None:
    app.command("collect")(collect_command)


def collect_command(
    paths: Optional[list[str]] = typer.Argument(None, help="Test files or folders."),
    output_format: TextOrJson = typer.Option(TextOrJson.text, "--format", help="Output format."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Files per pytest process."),
    timeout: Optional[float] = typer.Option(None, "--timeout", callback=_positive_seconds,
                                            help="Seconds for the whole collection (default: collect_timeout)."),
    python: Optional[str] = typer.Option(None, "--python", metavar="PATH",
                                         help="Interpreter or venv that collects (default: the project's)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say which interpreter collects."),
    write_baseline: bool = typer.Option(False, "--write-baseline",
                                        help="Record today's uncollectable files as known debt for canon run."),
) -> None:
    """Collect every test file with pytest (in subprocesses) and cluster the failures."""
    from rich.markup import escape

    from testcanon.config import load_project
    from testcanon.output.text import make_console
    from testcanon.runner.collect import collect_health
    from testcanon.target import resolve_python

    paths = paths or []
    project = load_project(paths[0] if paths else Path("."))
    target = resolve_python(project.root, cli=python, config=project.config.python)
    target.require_pytest()
    health = collect_health(project, paths, batch_size=batch_size, timeout=timeout, target=target)
    if write_baseline:
        from testcanon.adopt.uncollectable import write_collection_baseline

        typer.echo(write_collection_baseline(project, health, paths))
        return
    if output_format == "json":
        typer.echo(json.dumps(health.to_json(), indent=1))
    else:
        console = make_console()
        if verbose:
            console.print(f"python: {escape(target.describe())}")
        if target.is_own:
            console.print(f"note: {escape(target.fallback_note())}")
            if any(e.cause.startswith(("ModuleNotFoundError", "ImportError")) for e in health.errors):
                console.print("hint: the tests import modules testcanon's own interpreter lacks: point "
                              "--python (or [tool.testcanon] python) at the project's environment")
        for cluster in health.clusters:
            console.print(f"[bold]{len(cluster.files)} file(s)[/bold]: {escape(cluster.cause)}")
            if cluster.chain:
                console.print(f"    import chain: {escape(' -> '.join(cluster.chain))}")
            for name in sorted(cluster.files)[:10]:
                console.print(f"    {escape(name)}")
            if len(cluster.files) > 10:
                console.print(f"    ... and {len(cluster.files) - 10} more")
        console.print(f"collected {health.collected:,} / {health.test_files:,} test files "
                      f"({health.failed_files:,} failing)")
    if health.failed_files:
        raise typer.Exit(1)
