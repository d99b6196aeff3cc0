"""`canon init`: infer and write the configuration, hooks, CI workflow and testing guide."""

from __future__ import annotations

import os
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)


def init_command(
    path: Path = typer.Argument(Path("."), help="Repository to adopt testcanon in."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the diffs, write nothing."),
    force: bool = typer.Option(False, "--force", help="Replace settings and files you already have."),
    shards: int = typer.Option(4, "--shards", min=1, help="CI matrix size for canon run --shard."),
) -> None:
    """Adopt testcanon: infer the configuration, hooks, CI workflow and docs/TESTING.md."""
    from rich.markup import escape

    from testcanon.adopt.apply import diff, run_init
    from testcanon.config import load_project
    from testcanon.errors import UsageError
    from testcanon.journal import project_lock
    from testcanon.output.text import make_console

    if not path.is_dir():
        raise UsageError(f"{path}: not a directory")
    console = make_console()
    project = load_project(path)
    with project_lock(project.root, "canon init", enabled=not dry_run):
        result = run_init(project, dry_run=dry_run, force=force, shards=shards)
    found = result.inference
    console.print(f"[bold]What testcanon found in {escape(str(project.root))}[/bold]")
    console.print(f"  {found.test_files:,} test files")
    for guess in found.test_paths:
        console.print(f"  test root {escape(str(guess.value))}: {escape(guess.evidence)}")
    for name, evidence in found.category_evidence.items():
        console.print(f"  category {name}: {escape(evidence)}")
    for name, evidence in found.area_evidence.items():
        console.print(f"  coverage area {name}: {escape(evidence)}")
    for guess in found.infra:
        console.print(f"  test infrastructure {escape(str(guess.value))}: {escape(guess.evidence)}")
    for guess in found.excludes:
        console.print(f"  exclude {escape(str(guess.value))}/: {escape(guess.evidence)}")
    if found.home_made_bases:
        top = found.home_made_bases[0]
        console.print(f"  {len(found.home_made_bases)} home-made base classes; the most used is "
                      f"{escape(top[0])} ({top[2]:,} test classes)")
    if not result.changes:
        console.print("nothing to change: testcanon is already set up here")
        return
    for change in result.changes:
        if dry_run:
            console.print(escape(diff(change, project.root)), end="")
        else:
            console.print(f"[green]wrote[/green] {escape(os.path.relpath(change.path, project.root))}"
                          f" — {escape(change.why)}")
    for line in result.not_written:
        console.print(f"[red]not written[/red] {escape(line)}")
    console.print(f"baseline: {escape(result.baseline)}")
    if not dry_run:
        at = result.journal and os.path.relpath(result.journal, project.root)
        console.print("undo all of it with `canon undo`" + (f" (journalled at the repository root, {at})"
                                                            if at and at != "." else ""))
