"""`canon undo`: put back exactly what the last fix/migrate/init run changed."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("undo")(undo_command)


def undo_command(
    run_id: str | None = typer.Argument(None, help="Run to undo (default: the newest)."),
    list_runs: bool = typer.Option(False, "--list", help="List journalled runs."),
    force: bool = typer.Option(False, "--force", help="Undo even if files changed since."),
    project_path: Path = typer.Option(Path("."), "--project", help="Project path."),
) -> None:
    """Restore the files changed by the last journalled run, byte for byte."""
    from rich.markup import escape

    from testcanon.config import find_root
    from testcanon.journal import Journal, LockBusy, RunInfo, project_lock
    from testcanon.output.text import make_console

    console = make_console()
    journal = _journal(Journal, find_root(project_path), run_id)
    if list_runs:
        try:
            with project_lock(journal.root, "canon undo --list", timeout=0):  # completes interrupted runs
                runs = list(journal.scan())
        except LockBusy:  # a command is writing: list as things stand, its run shows as open
            runs = list(journal.scan())
        if not runs:
            console.print("no journalled runs")
        for run in reversed(runs):
            if isinstance(run, RunInfo):
                console.print(f"{run.id}  {run.status:<11}  {len(run.entries):>4} file(s)  "
                              f"{escape(run.command)}")
            else:
                console.print(f"{run.id}  [red]unreadable[/red]  {escape(run.reason)}")
        return
    run = journal.undo(run_id, force=force)
    console.print(f"undid run {run.id} ({escape(run.command)}): restored {len(run.entries)} file(s)")


def _journal(journal_type, root: Path, run_id: str | None):
    """The project's journal, or its repository's when the project is a folder of a repository
    and the run asked for (default: the newest) was journalled there (`canon init` in a
    monorepo writes at the repository root)."""
    from testcanon.output.location import repository_root

    own = journal_type(root)
    repository = repository_root(root)
    if repository == root.resolve() or not (repository / ".testcanon" / "journal").is_dir():
        return own
    outer = journal_type(repository)
    if run_id is not None:
        return outer if any(run.id == run_id for run in outer.runs()) else own

    def newest(journal) -> str:
        return max((run.id for run in journal.runs()), default="")

    return outer if newest(outer) > newest(own) else own
