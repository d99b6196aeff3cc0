"""`canon migrate`: codemods to the canonical patterns, proven by identical collected tests."""

from __future__ import annotations

import difflib
import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import TextOrJson


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
    diff_stat: bool = typer.Option(False, "--diff-stat", help="Print a summary of the changes; write nothing."),
    no_verify: bool = typer.Option(False, "--no-verify", help="Skip verification (dry runs only)."),
    verify_level: VerifyLevel = typer.Option(
        VerifyLevel.outcomes, "--verify",
        help="Proof asked for: outcomes (run the affected tests before and after), collect (same collected "
             "ids) or static (compiles, every test kept). The strongest available is used up to it."),
    python: Optional[str] = typer.Option(None, "--python",
                                         help="Interpreter or venv that runs the project's tests."),
    output_format: TextOrJson = typer.Option(TextOrJson.text, "--format", help="Output format."),
) -> None:
    """Rewrite tests onto the canonical patterns; written only if every affected test keeps its outcome."""
    from rich.markup import escape

    from testcanon.config import load_project
    from testcanon.errors import UsageError
    from testcanon.journal import project_lock
    from testcanon.migrate.run import account, plan, verify, write
    from testcanon.output.diff import unified
    from testcanon.output.text import make_console

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
            from testcanon.target import resolve_python

            target = resolve_python(project.root, cli=python, config=project.config.python)
            report = verify(project, report, level=verify_level.value, python=target)
        if not (dry_run or diff_stat):
            write(project, report, f"canon migrate{' --select ' + select if select else ''}")
        # After writing, what is left is read from the written tree itself (exact); a dry run
        # matches today's findings against the planned changes.
        report = account(project, report, paths, codes, written=not (dry_run or diff_stat))
    if output_format == "json":
        typer.echo(json.dumps({
            "changed": [{"path": c.path, "codes": sorted(c.codes), "notes": c.notes,
                         "proof": report.proof.get(c.path)} for c in report.changes],
            "rejected": report.rejected,
            "outcome_changes": {path: [{"test": test, "before": old, "after": new} for test, old, new in moved]
                                for path, moved in report.outcome_changes.items()}, "manual_review": report.review, "not_converted": report.skipped,
            "left": [{"code": item.code, "target": item.target, "site": item.site, "count": item.count,
                      "reason": item.reason} for item in report.left],
            "verify": report.verify_level if not no_verify else None,
            "proof": report.proof,
            "verified_by_outcomes": report.verified_by_outcomes,
            "verified_by_collection": report.verified_by_collection,
            "verified_statically": report.verified_statically,
            "collection_failure": report.collection_failure,
            "collected_with_pytest_defaults": report.collected_with_defaults,
            "collection_seconds": round(report.collection_seconds, 3),
            "verify_fallback": report.verify_fallback,
            "flaky": report.flaky,
            "target": report.target or None,
            "copy": report.copy or None,
            "test_seconds": round(report.test_seconds, 3),
            "written": not (dry_run or diff_stat)}, indent=1))
    else:
        console = make_console()
        for change in report.changes:
            if dry_run:
                console.print(escape(unified(change.before, change.after, change.path)), end="")
            else:
                before = change.before.decode("utf-8", "replace").splitlines()
                after = change.after.decode("utf-8", "replace").splitlines()
                plus = sum(1 for line in difflib.ndiff(before, after) if line.startswith("+ "))
                minus = sum(1 for line in difflib.ndiff(before, after) if line.startswith("- "))
                console.print(f"{escape(change.path)} | +{plus} -{minus} | {', '.join(sorted(change.codes))}: "
                              f"{escape('; '.join(change.notes))}")
        for path, why in sorted(report.rejected.items()):
            console.print(f"[red]not migrated[/red] {escape(path)}: {escape(why)}")
        for note in report.review:
            console.print(f"[yellow]manual review[/yellow] {escape(note)}")
        for note in report.skipped:
            console.print(f"[dim]left as is[/dim] {escape(note)}")
        for item in report.left:
            console.print(f"[yellow]left[/yellow] {escape(item.describe())}")
        if report.flaky:
            console.print(f"[yellow]flaky[/yellow] (outcome differed between two runs before the change; "
                          f"not counted): {escape(', '.join(report.flaky[:10]))}"
                          + (f" and {len(report.flaky) - 10} more" if len(report.flaky) > 10 else ""))
        if report.verify_fallback:
            console.print(f"[yellow]the affected tests could not run[/yellow] ({escape(report.verify_fallback)}): "
                          "verified by collected tests instead")
        if report.collected_with_defaults:
            console.print("[yellow]pytest refused the project's configuration[/yellow]: tests were collected "
                          "with pytest's defaults, before and after alike")
        if report.collection_failure:
            console.print(f"[yellow]pytest could not collect here[/yellow] ({escape(report.collection_failure)}): "
                          "every change was verified statically (compiles, every test name kept)")
        verb = "would change" if (dry_run or diff_stat) else "changed"
        console.print(f"{verb} {len(report.changes)} file(s); verified by test outcomes: "
                      f"{report.verified_by_outcomes}, by identical collected tests: "
                      f"{report.verified_by_collection}, statically: {report.verified_statically}"
                      + ("" if (dry_run or diff_stat) else "; undo with `canon undo`"))
    if report.rejected:
        raise typer.Exit(1)
