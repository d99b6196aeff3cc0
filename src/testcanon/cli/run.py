"""`canon run`: the one way to run tests — categories, layers, services, shards, history."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("run", context_settings={"ignore_unknown_options": True})(run_command)


def _after_double_dash() -> list[str]:
    return sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []


def run_command(
    paths: Optional[list[str]] = typer.Argument(None, help="Test files or folders; after `--`, pytest arguments."),
    category: Optional[list[str]] = typer.Option(None, "--category", "-c", help="Run only these categories."),
    no_fail_fast: bool = typer.Option(False, "--no-fail-fast", help="Run later layers even if one fails."),
    serial: bool = typer.Option(False, "--serial", help="No parallel workers."),
    workers: Optional[str] = typer.Option(None, "--workers", "-n", help="pytest-xdist workers (number or auto)."),
    shard: Optional[str] = typer.Option(None, "--shard", help="Run shard K of N (K/N), balanced by durations."),
    env_name: Optional[str] = typer.Option(None, "--env", help="Named environment from config (no services started)."),
    affected: Optional[str] = typer.Option(None, "--affected", metavar="[REV]",
                                           help="Only tests affected since REV (default: the merge base with main)."),
    junit_xml: Optional[Path] = typer.Option(None, "--junit-xml", dir_okay=False, help="Write JUnit XML here."),
    json_file: Optional[Path] = typer.Option(None, "--json", dir_okay=False, help="Write a JSON result file here."),
    coverage: bool = typer.Option(False, "--coverage", help="Measure coverage (combined across workers)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Stream pytest's own output."),
) -> None:
    """Run the tests, layer by layer (fail-fast), with real services and history."""
    from rich.markup import escape
    from rich.table import Table

    from testcanon.config import load_project
    from testcanon.output.text import make_console
    from testcanon.runner.run import RunOptions, execute

    tail = _after_double_dash()
    paths = list(paths or [])
    if tail:
        paths = paths[: len(paths) - len(tail)] if paths[-len(tail):] == tail else paths
    project = load_project(paths[0] if paths else Path("."))
    console = make_console()
    only_files = None
    if affected:
        from testcanon.runner.affected import affected_tests

        selection = affected_tests(project, None if affected == "auto" else affected)
        console.print(f"[bold]affected since {escape(selection.base)}[/bold]: "
                      f"{len(selection.reasons)} test file(s)")
        for path, reason in sorted(selection.reasons.items()):
            console.print(f"  {escape(path)}: {escape(reason)}")
        only_files = list(selection.reasons)
    options = RunOptions(paths=paths, categories=category or [], pytest_args=tail,
                         fail_fast=project.config.runner.fail_fast and not no_fail_fast, serial=serial,
                         workers=workers, shard=shard, environment=env_name, junit_xml=junit_xml,
                         coverage=coverage, stream=verbose, only_files=only_files)

    def progress(run) -> None:
        counts = run.counts
        mark = "[green]ok[/green]" if run.ok else "[bold red]FAILED[/bold red]"
        console.print(f"layer {run.layer} {escape(run.category)}: {mark} {counts['passed']} passed, "
                      f"{counts['failed']} failed, {counts['errors']} errors, {counts['skipped']} skipped "
                      f"({run.seconds:.1f}s)")
        for result in run.results:
            if result.outcome in ("failed", "error", "collection_error"):
                console.print(f"  [red]{result.outcome}[/red] {escape(result.nodeid)}")

    report = execute(project, options, on_category=progress)
    table = Table(title="canon run", title_justify="left")
    for header in ("layer", "category", "files", "passed", "failed", "errors", "skipped", "time"):
        table.add_column(header, justify="left" if header == "category" else "right")
    for run in report.runs:
        c = run.counts
        table.add_row(str(run.layer), escape(run.category), str(len(run.files)), str(c["passed"]),
                      str(c["failed"]), str(c["errors"]), str(c["skipped"]), f"{run.seconds:.1f}s")
    console.print(table)
    if report.stopped_after_layer is not None:
        console.print(f"[bold red]layer {report.stopped_after_layer} failed: later layers not run "
                      "(--no-fail-fast runs them)[/bold red]")
    if report.services_started:
        console.print(f"services started and stopped: {', '.join(report.services_started)}")
    if json_file:
        json_file.write_text(json.dumps({
            "exit_code": report.exit_code, "run_id": report.run_id, "seconds": round(report.seconds, 3),
            "stopped_after_layer": report.stopped_after_layer,
            "categories": [r.to_json() for r in report.runs],
            "tests": [{"nodeid": t.nodeid, "outcome": t.outcome, "duration": t.duration,
                       "category": r.category, "metrics": t.metrics} for r in report.runs for t in r.results],
        }, indent=1))
    if not report.runs:
        console.print("no test files selected")
    raise typer.Exit(report.exit_code)
