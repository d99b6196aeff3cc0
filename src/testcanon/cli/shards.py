"""`canon shards N`: the shard plan `canon run --shard K/N` follows, with expected times."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("shards")(shards_command)


def shards_command(
    count: int = typer.Argument(..., min=1, help="Number of shards."),
    path: Path = typer.Option(Path("."), "--project", help="Project path."),
    files: bool = typer.Option(False, "--files", help="List each shard's files."),
) -> None:
    """Print the shard plan: files per shard and expected time, balanced by history."""
    from testcanon.config import load_project
    from testcanon.runner.history import file_durations
    from testcanon.runner.selection import test_files
    from testcanon.runner.shards import imbalance, plan

    project = load_project(path)
    names = [f.relpath for f in test_files(project)]
    durations = file_durations(project.root)
    shards = plan(names, durations, count)
    known = sum(1 for n in names if n in durations)
    for shard in shards:
        typer.echo(f"shard {shard.index}/{count}: {len(shard.files)} files, expected {shard.seconds:.1f}s")
        if files:
            for name in shard.files:
                typer.echo(f"    {name}")
    typer.echo(f"imbalance (max/mean): {imbalance(shards):.3f}; durations known for {known} of {len(names)} files")
