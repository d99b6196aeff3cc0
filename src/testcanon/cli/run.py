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
    paths: Optional[list[str]] = typer.Argument(None,
                                                help="Test files or folders; after `--`, pytest arguments."),
    category: Optional[list[str]] = typer.Option(None, "--category", "-c", help="Run only these categories."),
    no_fail_fast: bool = typer.Option(False, "--no-fail-fast", help="Run later layers even if one fails."),
    serial: bool = typer.Option(False, "--serial", help="No parallel workers."),
    workers: Optional[str] = typer.Option(None, "--workers", "-n",
                                          help="pytest-xdist workers (number or auto)."),
    shard: Optional[str] = typer.Option(None, "--shard",
                                        help="Run shard K of N (K/N), planned from .test_durations."),
    combine: Optional[Path] = typer.Option(None, "--combine", metavar="DIR",
                                           help="Join the shards' --json files in DIR; fail on "
                                                "a test run 0 or 2+ times."),
    env_name: Optional[str] = typer.Option(None, "--env",
                                           help="Named environment from config (no services started)."),
    affected: Optional[str] = typer.Option(None, "--affected", metavar="[REV]",
                                           help="Only tests affected since REV (default: "
                                                "the merge base with main)."),
    python: Optional[str] = typer.Option(None, "--python", metavar="PATH",
                                         help="Interpreter or venv that runs the tests "
                                              "(default: the project's)."),
    junit_xml: Optional[Path] = typer.Option(None, "--junit-xml", dir_okay=False,
                                             help="Write JUnit XML here."),
    json_file: Optional[Path] = typer.Option(None, "--json", dir_okay=False,
                                             help="Write a JSON result file here."),
    coverage: bool = typer.Option(False, "--coverage", help="Measure coverage (combined across workers)."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Say which interpreter runs the tests; stream pytest's output."),
) -> None:
    """Run the tests, layer by layer (fail-fast), with real services and history."""
    from testcanon.config import load_project
    from testcanon.runner.run import RunOptions, execute

    console = _Console()  # rich is imported while the tests run, not before they start
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
    if verbose or target.is_own:
        from testcanon.runner.run_render import print_target

        print_target(console, target, verbose=verbose)
    only_files = None
    if affected:
        from testcanon.runner.affected import affected_tests
        from testcanon.runner.run_render import print_affected

        selection = affected_tests(project, None if affected == "auto" else affected)
        print_affected(console, selection.base, selection.reasons)
        only_files = list(selection.reasons)
    options = RunOptions(paths=paths, categories=category or [], pytest_args=tail,
                         fail_fast=project.config.runner.fail_fast and not no_fail_fast, serial=serial,
                         workers=workers, shard=shard, environment=env_name, junit_xml=junit_xml,
                         coverage=coverage, stream=verbose, only_files=only_files, python=python)
    report = execute(project, options, on_category=lambda run: _render().print_category(console, run),
                     target=target, while_running=_render)
    _render().print_report(console, report)
    if json_file:
        json_file.write_text(json.dumps(report.to_json(), indent=1))
    if not report.runs:
        _render().print_no_tests(console)
    raise typer.Exit(report.exit_code)


def _render():
    """The text renderer of a run (and rich with it): imported on first need."""
    from testcanon.output import text  # noqa: F401  (the console's maker, imported here too)
    from testcanon.runner import run_render

    return run_render


class _Console:
    """The rich console, made on first use: `canon run` starts the project's pytest before
    importing rich, and imports it while the tests run (`execute`'s `while_running`)."""

    def __init__(self) -> None:
        self._console = None

    def __getattr__(self, name: str):
        if self._console is None:
            from testcanon.output.text import make_console

            self._console = make_console()
        return getattr(self._console, name)


def _combine(directory: Path, json_file: Optional[Path], console) -> None:
    from testcanon.runner.combine import combine
    from testcanon.runner.run_render import print_combined

    combined = combine(directory)
    print_combined(console, combined)
    if json_file:
        json_file.write_text(json.dumps(combined.to_json(), indent=1))
    raise typer.Exit(combined.exit_code)
