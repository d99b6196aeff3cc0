"""`canon collect --repair`: the report of a collection repair (progress on stderr, result on stdout)."""

from __future__ import annotations

import json
import sys

import typer

from testcanon.config import Project
from testcanon.target import TargetPython


def run_repair(project: Project, target: TargetPython, paths: list[str], *, output_format: str, dry_run: bool,
               batch_size: int | None, timeout: float | None) -> None:
    from rich.markup import escape

    from testcanon.output.text import make_console
    from testcanon.repair.collection import repair_collection

    def progress(message: str) -> None:
        print(f"canon collect: {message}", file=sys.stderr, flush=True)

    result = repair_collection(project, target, paths, dry_run=dry_run, timeout=timeout,
                               batch_size=batch_size, progress=progress)
    if output_format == "json":
        typer.echo(json.dumps(result.to_json(), indent=1))
    else:
        console = make_console()
        verb = "would write" if dry_run else "wrote"
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
        b, a = result.before, result.after
        console.print(f"tests collected {b.tests:,} -> {a.tests:,}; files failing {b.failed_files:,} -> "
                      f"{a.failed_files:,}" + (f"; journal run {result.journal_run} (canon undo)"
                                               if result.journal_run else ""))
    if result.after.failed_files:
        raise typer.Exit(1)
