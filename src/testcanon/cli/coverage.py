"""`canon coverage`: each area's line and branch coverage against its target."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("coverage")(coverage_command)


def coverage_command(
    path: Path = typer.Option(Path("."), "--project", help="Project path."),
    fail_under_targets: bool = typer.Option(False, "--fail-under-targets",
                                            help="Exit 1 if an area is below target."),
) -> None:
    """Report coverage per configured area from the last `canon run --coverage`."""
    from testcanon.config import load_project
    from testcanon.errors import UsageError
    from testcanon.runner.coverage_areas import measure_areas

    project = load_project(path)
    data = project.root / ".testcanon" / "coverage" / ".coverage"
    if not data.exists():
        raise UsageError("no coverage data: run `canon run --coverage` first")
    if not project.config.areas:
        raise UsageError("no areas configured: add [tool.testcanon.areas.NAME] with source and target")
    areas = measure_areas(project, data)
    below = []
    for area in areas:
        line = "n/a" if area.line_percent is None else f"{area.line_percent:.1f}%"
        branch = "n/a" if area.branch_percent is None else f"{area.branch_percent:.1f}%"
        verdict = "ok" if area.meets_target else "BELOW TARGET"
        typer.echo(f"{area.area:<20} lines {line:>7}  branches {branch:>7}  target "
                   f"{area.target:g}%  {verdict}")
        if not area.meets_target:
            below.append(area.area)
    if below and fail_under_targets:
        raise typer.Exit(1)
