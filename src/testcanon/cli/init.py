"""`canon init`: infer and write the configuration, hooks, CI workflow and testing guide."""

from __future__ import annotations

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
    from testcanon.adopt.apply import run_init
    from testcanon.adopt.render import print_init
    from testcanon.config import load_project
    from testcanon.errors import UsageError
    from testcanon.journal import project_lock
    from testcanon.output.progress import PhaseStatus
    from testcanon.output.text import make_console

    if not path.is_dir():
        raise UsageError(f"{path}: not a directory")
    console = make_console()
    project = load_project(path)
    with project_lock(project.root, "canon init", enabled=not dry_run), PhaseStatus("canon init"):
        result = run_init(project, dry_run=dry_run, force=force, shards=shards)
    print_init(console, project.root, result, dry_run=dry_run)
