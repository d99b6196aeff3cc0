"""`canon audit`: how far the suite is from the single source of truth, and the trend."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import AUDIT, OutputFormat, format_option


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_command)


def audit_command(
    path: Path = typer.Argument(Path("."), help="Project path."),
    output_format: OutputFormat = format_option(AUDIT),
    collect: bool = typer.Option(False, "--collect", help="Also run pytest collection."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="METRIC",
                                          help="Print a metric's definition and exit."),
    fail_on_regression: bool = typer.Option(False, "--fail-on-regression",
                                            help="Exit 1 if any metric got worse."),
    store: bool = typer.Option(True, "--store/--no-store", help="Record the audit in history."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes."),
    python: Optional[str] = typer.Option(None, "--python", metavar="PATH",
                                         help="Interpreter or venv for --collect (default: the project's)."),
    lost_since: str = typer.Option("30 days", "--lost-since", metavar="REF",
                                   help="Reference of the tests_lost metric: a commit, a date or 'N days'."),
) -> None:
    """Print the success-metrics table (current, target, previous, trend)."""
    from testcanon.audit.docs import explain as explain_metric

    if explain:
        sys.stdout.write(explain_metric(explain))
        return

    from testcanon.audit import measure
    from testcanon.audit.render import print_text, to_markdown
    from testcanon.audit.store import save, with_previous
    from testcanon.config import load_project
    from testcanon.output.progress import PhaseStatus

    project = load_project(path)
    with PhaseStatus("canon audit"):
        measured = measure(project, collect=collect, jobs=jobs, python=python, lost_since=lost_since)
    audit = with_previous(measured, project.root)
    if store:
        save(audit, project.root)
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(audit.to_json(), indent=2) + "\n")
    elif output_format is OutputFormat.markdown:
        sys.stdout.write(to_markdown(audit))
    else:
        from testcanon.output.text import make_console

        print_text(make_console(), audit)
    if fail_on_regression and audit.regressions:
        names = ", ".join(row.spec.name for row in audit.regressions)
        typer.echo(f"canon: regression: {names} got worse than the previous audit", err=True)
        raise typer.Exit(1)
