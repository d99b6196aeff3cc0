"""`canon perf`: tests whose durations regressed, and the commit where it appeared."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from testcanon.output.formats import TEXT_OR_JSON, OutputFormat, format_option


def register(app: typer.Typer) -> None:
    app.command("perf")(perf_command)


def perf_command(
    path: Path = typer.Option(Path("."), "--project", help="Project path."),
    recent: int = typer.Option(3, "--recent", min=1, help="Runs that make up 'recent'."),
    floor: float = typer.Option(0.05, "--floor", help="Ignore changes smaller than this (seconds)."),
    output_format: OutputFormat = format_option(TEXT_OR_JSON),
) -> None:
    """Flag tests whose recent durations regressed against their own history."""
    from testcanon.config import load_project
    from testcanon.runner.perf import regressions

    project = load_project(path)
    found = regressions(project.root, recent=recent, floor=floor)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps([r.to_json() for r in found], indent=1))
    else:
        for r in found:
            typer.echo(f"{r.nodeid}: {r.baseline:.3f}s -> {r.recent:.3f}s ({r.ratio:.2f}x), "
                       f"first at commit {(r.commit or 'unknown')[:12]}")
        typer.echo(f"{len(found)} regressed test(s)")
    if found:
        raise typer.Exit(1)
