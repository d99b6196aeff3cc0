"""`canon collect --repair`: the report of a collection repair (progress on stderr, result on stdout)."""

from __future__ import annotations

import json
import sys

import typer

from testcanon.config import Project
from testcanon.output.envelope import envelope
from testcanon.target import TargetPython


def run_repair(project: Project, target: TargetPython, paths: list[str], *, output_format: str, dry_run: bool,
               batch_size: int | None, timeout: float | None, fix_syntax: bool = True,
               jobs: int | None = None) -> None:
    from rich.markup import escape

    from testcanon.output.text import make_console
    from testcanon.repair.collection import repair_collection

    def progress(message: str) -> None:
        print(f"canon collect: {message}", file=sys.stderr, flush=True)

    result = repair_collection(project, target, paths, dry_run=dry_run, timeout=timeout,
                               batch_size=batch_size, progress=progress, fix_syntax=fix_syntax, jobs=jobs)
    if output_format == "json":
        typer.echo(json.dumps(envelope("collect", **result.to_json()), indent=1))
    else:
        console = make_console()
        verb = "would write" if dry_run else "wrote"
        repaired = [v for v in result.fixed if v.fixed is not None]
        for verdict in repaired:
            console.print(f"[green]{verb}[/green] {escape(verdict.path)} (does not compile): "
                          f"{escape(verdict.detail)}")
        for verdict in result.fixed:
            if verdict.fixed is None:
                console.print(f"[yellow]not repaired[/yellow] {escape(verdict.path)}: "
                              f"{escape(verdict.detail)}")
        for edit in result.kept:
            console.print(f"[green]{verb}[/green] {escape(edit.path)} ({edit.kind}): {len(edit.answered)} "
                          f"file(s) collect again, {edit.tests:,} test(s)")
            for detail in edit.details:
                console.print(f"    {escape(detail)}")
        for edit in result.refused:
            console.print(f"[yellow]refused[/yellow] {escape(edit.path)}: {escape(edit.reason)}")
        for left in result.left:
            console.print(f"[bold]{len(left.files)} file(s)[/bold] left ({left.kind}): {escape(left.detail)}")
        for cluster in result.after.clusters:
            console.print(f"[bold]{len(cluster.files)} file(s)[/bold]: {escape(cluster.cause)}")
            if cluster.chain:
                console.print(f"    first failing frame: {escape(cluster.chain[-1])}; import chain: "
                              f"{escape(' -> '.join(cluster.chain))}")
        from rich.table import Table

        table = Table("stage", "tests collected", "files failing", "seconds", title="real collection")
        for stage in result.stages:
            table.add_row(stage.name, f"{stage.tests:,}", f"{stage.failed_files:,}", f"{stage.seconds:.0f}")
        console.print(table)
        if result.journal_run:
            console.print(f"journal run {result.journal_run} (canon undo)")
    if result.after.failed_files:
        raise typer.Exit(1)
