"""`canon shards N`: the shard plan `canon run --shard K/N` follows, with expected times."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("shards")(shards_command)


def shards_command(
    count: int = typer.Argument(..., min=1, help="Number of shards."),
    path: Path = typer.Option(Path("."), "--project", help="Project path."),
    files: bool = typer.Option(False, "--files", help="List each shard's files."),
    update: bool = typer.Option(False, "--update",
                                help="First rewrite .test_durations from the last `canon run` (commit it)."),
    python: Optional[str] = typer.Option(None, "--python", metavar="PATH",
                                         help="Interpreter or venv that collects the tests "
                                              "(default: the project's)."),
) -> None:
    """Print the shard plan: files per shard and expected time, from the committed durations file."""
    from testcanon.config import load_project
    from testcanon.errors import CanonError
    from testcanon.runner.durations import durations_path, load, per_file, update_from_history
    from testcanon.runner.planning import category_markers, shard_plan, test_set_files
    from testcanon.runner.shards import imbalance
    from testcanon.runner.testset import collect_test_set
    from testcanon.target import resolve_python

    project = load_project(path)
    if update:
        written, where = update_from_history(project.root)
        typer.echo(f"{where.name}: {written} test durations from the last run (commit it "
                   "so every job plans alike)")
    target = resolve_python(project.root, cli=python, config=project.config.python)
    target.require_pytest()
    tests = collect_test_set(project, target, [], list(project.config.runner.pytest_args),
                             timeout=project.config.runner.collect_timeout, markers=category_markers(project))
    if tests.failure:
        raise CanonError(f"collecting the test set failed: {tests.failure}")
    names = test_set_files(project, tests)
    shards, _, digest = shard_plan(project, names, count, tests)
    durations = per_file(load(project.root))
    known = sum(1 for n in names if n in durations)
    for shard in shards:
        typer.echo(f"shard {shard.index}/{count}: {len(shard.files)} files, expected {shard.seconds:.1f}s")
        if files:
            for name in shard.files:
                typer.echo(f"    {name}")
    source = (durations_path(project.root).name if durations_path(project.root).exists()
              else "no durations file")
    typer.echo(f"plan {digest}; imbalance (max/mean): {imbalance(shards):.3f}; durations known for "
               f"{known} of {len(names)} files ({source})")
