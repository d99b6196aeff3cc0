"""`canon migrate`: codemods to the canonical patterns, proven by identical collected tests."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import TEXT_OR_JSON, OutputFormat, format_option


class VerifyLevel(str, Enum):
    outcomes = "outcomes"
    collect = "collect"
    static = "static"


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate_command)


def migrate_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders (default: the project)."),
    select: Optional[str] = typer.Option(None, "--select", help="Rule codes to migrate, comma-separated."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print unified diffs; write nothing."),
    diff_stat: bool = typer.Option(False, "--diff-stat",
                                   help="Print a summary of the changes; write nothing."),
    no_verify: bool = typer.Option(False, "--no-verify", help="Skip verification (dry runs only)."),
    verify_level: VerifyLevel = typer.Option(
        VerifyLevel.outcomes, "--verify",
        help="Proof asked for: outcomes (run the affected tests before and after), collect (same collected "
             "ids) or static (compiles, every test kept). The strongest available is used up to it."),
    python: Optional[str] = typer.Option(None, "--python",
                                         help="Interpreter or venv that runs the project's tests."),
    output_format: OutputFormat = format_option(TEXT_OR_JSON),
) -> None:
    """Rewrite tests onto the canonical patterns; written only if every affected test keeps its outcome."""
    from testcanon.config import load_project
    from testcanon.errors import UsageError
    from testcanon.journal import project_lock
    from testcanon.migrate.render import render_migrate
    from testcanon.migrate.run import account, plan, verify, write

    if no_verify and not (dry_run or diff_stat):
        raise UsageError("--no-verify is only allowed with --dry-run or --diff-stat")
    paths = paths or []
    project = load_project(paths[0] if paths else Path("."))
    codes = [c.strip() for c in select.split(",")] if select else None
    if codes:
        from testcanon.config.validate import check_rule_codes

        check_rule_codes(codes, option="--select")
    with project_lock(project.root, "canon migrate", enabled=not (dry_run or diff_stat)):  # one writer
        report = plan(project, paths, codes)
        if not no_verify:
            from testcanon.output.progress import PhaseStatus
            from testcanon.target import resolve_python

            target = resolve_python(project.root, cli=python, config=project.config.python)
            with PhaseStatus("canon migrate: verifying"):
                report = verify(project, report, level=verify_level.value, python=target)
        if not (dry_run or diff_stat):
            write(project, report, f"canon migrate{' --select ' + select if select else ''}")
        # After writing, what is left is read from the written tree itself (exact); a dry run
        # matches today's findings against the planned changes.
        report = account(project, report, paths, codes, written=not (dry_run or diff_stat))
    render_migrate(output_format, report, dry_run=dry_run, diff_stat=diff_stat, verified=not no_verify)
    if report.rejected:
        raise typer.Exit(1)
