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
    shard: Optional[str] = typer.Option(None, "--shard", help="Run shard K of N (K/N), planned from .test_durations."),
    combine: Optional[Path] = typer.Option(None, "--combine", metavar="DIR",
                                           help="Join the shards' --json files in DIR; fail on a test run 0 or 2+ times."),
    env_name: Optional[str] = typer.Option(None, "--env", help="Named environment from config (no services started)."),
    affected: Optional[str] = typer.Option(None, "--affected", metavar="[REV]",
                                           help="Only tests affected since REV (default: the merge base with main)."),
    python: Optional[str] = typer.Option(None, "--python", metavar="PATH",
                                         help="Interpreter or venv that runs the tests (default: the project's)."),
    junit_xml: Optional[Path] = typer.Option(None, "--junit-xml", dir_okay=False, help="Write JUnit XML here."),
    json_file: Optional[Path] = typer.Option(None, "--json", dir_okay=False, help="Write a JSON result file here."),
    coverage: bool = typer.Option(False, "--coverage", help="Measure coverage (combined across workers)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say which interpreter runs the tests; stream pytest's output."),
) -> None:
    """Run the tests, layer by layer (fail-fast), with real services and history."""
    from rich.markup import escape
    from rich.table import Table

    from testcanon.config import load_project
    from testcanon.output.text import make_console
    from testcanon.runner.run import RunOptions, execute

    console = make_console()
    if combine is not None:
        _combine(combine, json_file, console)
    tail = _after_double_dash()
    paths = list(paths or [])
    if tail:
        paths = paths[: len(paths) - len(tail)] if paths[-len(tail):] == tail else paths
    project = load_project(paths[0] if paths else Path("."))
    from testcanon.target import resolve_python

    target = resolve_python(project.root, cli=python, config=project.config.python)
    target.require_pytest()
    if verbose:
        console.print(f"python: {escape(target.describe())}")
    if target.is_own:
        console.print(f"[yellow]note[/yellow]: {escape(target.fallback_note())}")
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
                         coverage=coverage, stream=verbose, only_files=only_files, python=python)

    def progress(run) -> None:
        counts = run.counts
        mark = "[green]ok[/green]" if run.ok else "[bold red]FAILED[/bold red]"
        console.print(f"layer {run.layer} {escape(run.category)}: {mark} {counts['passed']} passed, "
                      f"{counts['failed']} failed, {counts['errors']} errors, {counts['skipped']} skipped "
                      f"({run.seconds:.1f}s)")
        if run.failure:
            console.print(f"  [red]{escape(run.failure)}[/red]")
        for result in run.results:
            if result.outcome in ("failed", "error", "collection_error"):
                console.print(f"  [red]{result.outcome}[/red] {escape(result.nodeid)}")

    report = execute(project, options, on_category=progress, target=target)
    table = Table(title="canon run", title_justify="left")
    for header in ("layer", "category", "files", "passed", "failed", "errors", "skipped", "time"):
        table.add_column(header, justify="left" if header == "category" else "right")
    for run in report.runs:
        c = run.counts
        files = str(len(run.files)) if run.files or report.collected else "all"
        table.add_row(str(run.layer), escape(run.category), files, str(c["passed"]),
                      str(c["failed"]), str(c["errors"]), str(c["skipped"]), f"{run.seconds:.1f}s")
    console.print(table)
    if report.stopped_after_layer is not None:
        console.print(f"[bold red]layer {report.stopped_after_layer} failed: later layers not run "
                      "(--no-fail-fast runs them)[/bold red]")
    if report.not_run:
        reasons: dict[str, int] = {}
        for why in report.not_run.values():
            reasons[why] = reasons.get(why, 0) + 1
        console.print(f"{len(report.not_run)} test file(s) not run: "
                      + "; ".join(f"{n} {escape(why)}" for why, n in sorted(reasons.items())))
    if report.target is not None and report.target.is_own and _import_errors(report):
        console.print("[yellow]hint[/yellow]: the tests import modules testcanon's own interpreter lacks: "
                      "point --python (or [tool.testcanon] python) at the project's environment")
    if report.services_started:
        console.print(f"services started and stopped: {', '.join(report.services_started)}")
    if json_file:
        json_file.write_text(json.dumps(report.to_json(), indent=1))
    if not report.runs:
        console.print("no test files selected")
    raise typer.Exit(report.exit_code)


def _import_errors(report) -> bool:
    return any(r.outcome == "collection_error" and ("ModuleNotFoundError" in r.longrepr or "ImportError" in r.longrepr)
               for run in report.runs for r in run.results)


def _combine(directory: Path, json_file: Optional[Path], console) -> None:
    from rich.markup import escape

    from testcanon.runner.combine import combine

    combined = combine(directory)
    outcomes: dict[str, int] = {}
    for test in combined.tests:
        outcomes[str(test["outcome"])] = outcomes.get(str(test["outcome"]), 0) + 1
    console.print(f"combined {len(combined.shards)}/{combined.count} shard(s) of plan {combined.digest}: "
                  + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))
    for problem in combined.problems:
        console.print(f"[red]{escape(problem)}[/red]")
    for label, names in (("never ran", combined.missing), ("ran more than once", combined.duplicated)):
        if names:
            console.print(f"[red]{len(names)} planned test(s) {label}[/red]: "
                          + escape(", ".join(names[:10])) + (" ..." if len(names) > 10 else ""))
    if json_file:
        json_file.write_text(json.dumps(combined.to_json(), indent=1))
    raise typer.Exit(combined.exit_code)
