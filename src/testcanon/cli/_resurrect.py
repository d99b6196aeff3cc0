"""`canon fix --resurrect`: the report of resurrected tests (the logic is in repair/resurrect*)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from testcanon.output.envelope import envelope
from testcanon.output.formats import OutputFormat


def resurrect_command(paths: list[Path], *, dry_run: bool, output_format: OutputFormat,
                      use_history: bool | None) -> None:
    from rich.markup import escape

    from testcanon.config import load_project
    from testcanon.output.text import make_console
    from testcanon.repair.resurrect_run import resurrect_files

    project = load_project(paths[0] if paths else Path("."))
    verdicts = resurrect_files(project, paths, dry_run=dry_run, use_history=use_history)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(envelope("fix", files=[v.to_json() for v in verdicts], dry_run=dry_run),
                              indent=1))
    else:
        console = make_console()
        for v in verdicts:
            style = "green" if v.verdict == "resurrected" else "red"
            console.print(f"[{style}]{v.verdict}[/{style}] {escape(v.path)}: {escape(v.detail)}")
            for restored in v.plan.restored:
                origin = (f"from {restored.commit[:10]} ({restored.date[:10]}) {restored.subject}"
                          if restored.origin == "history" else "restored-from-comment")
                console.print(f"    + {escape(restored.test_id)}  {escape(origin)}")
            for test_id, why in v.plan.left.items():
                console.print(f"    [red]still lost[/red] {escape(test_id)}: {escape(why)}")
            for test_id in v.failing:
                console.print(f"    [yellow]fails today[/yellow] {escape(test_id)}")
            if v.plan.needed:
                console.print(f"    brought back with them: {escape(', '.join(v.plan.needed))}")
            if v.collection:
                console.print(f"    {escape(v.collection)}")
            if dry_run and v.plan.write is not None and v.verdict == "resurrected":
                console.print(escape(v.plan.write.diff()), end="")
        restored = sum(len(v.plan.restored) for v in verdicts if v.verdict == "resurrected")
        lost = sum(len(v.plan.lost) for v in verdicts)
        console.print(f"{restored} test(s) resurrected in "
                      f"{sum(v.verdict == 'resurrected' for v in verdicts)} file(s); "
                      f"{lost} lost test(s) found")
        if restored and not dry_run:
            console.print("undo with `canon undo`")
    if any(v.verdict != "resurrected" or v.plan.left for v in verdicts):
        raise typer.Exit(1)
