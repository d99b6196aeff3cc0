"""`canon fix`: verified repair of files that do not compile, journalled and undoable."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import TEXT_OR_JSON, OutputFormat, format_option


class Method(str, Enum):
    auto = "auto"
    history = "history"
    local = "local"


class FixVerify(str, Enum):
    collect = "collect"
    static = "static"


def register(app: typer.Typer) -> None:
    app.command("fix")(fix_command)


def fix_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders (default: the project)."),
    method: Method = typer.Option(Method.auto, "--method", help="history, local, or auto (history in git)."),
    no_history: bool = typer.Option(False, "--no-history", hidden=True,
                                    help="Deprecated alias of --method local."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print unified diffs; write nothing."),
    output_format: OutputFormat = format_option(TEXT_OR_JSON),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Worker processes (default: one per CPU)."),
    rewrite_version_specific: bool = typer.Option(False, "--rewrite-version-specific",
                                                  help="Also rewrite 3.12+ syntax for the target version."),
    resurrect: bool = typer.Option(False, "--resurrect",
                                   help="Bring back lost tests (CANON701) from history."),
    verify: FixVerify = typer.Option(FixVerify.collect, "--verify",
                                     help="collect (pytest collects every repaired test) or static."),
    python: Optional[str] = typer.Option(None, "--python",
                                         help="Interpreter or venv that runs the project's tests."),
) -> None:
    """Repair files that do not compile; every repair verified (compiles, no test lost)."""
    if no_history:  # one flag per concept, `--method local`: the old spelling, hidden, still works
        method = Method.local
    if resurrect:
        from testcanon.cli._resurrect import resurrect_command

        resurrect_command(paths or [], dry_run=dry_run, output_format=output_format,
                          use_history=None if method == Method.auto else method == Method.history)
        return
    from testcanon.config import load_project
    from testcanon.journal import project_lock
    from testcanon.output.text import make_console
    from testcanon.repair.fixer import fix_files
    from testcanon.repair.render import render_fix

    paths = paths or []
    project = load_project(paths[0] if paths else Path("."))
    chosen = method.value
    target = None
    if verify is FixVerify.collect:
        from testcanon.target import resolve_python

        target = resolve_python(project.root, cli=python, config=project.config.python)
    with project_lock(project.root, "canon fix", enabled=not dry_run):  # one writer per project
        if output_format is OutputFormat.json:
            verdicts = fix_files(project, paths, method=chosen, dry_run=dry_run,
                                 rewrite_version_specific=rewrite_version_specific, jobs=jobs,
                                 verify=verify.value, python=target)
        else:
            from testcanon.output.progress import LazyProgress, LazyStatus

            with LazyProgress(make_console(sys.stderr), "repairing", min_remaining=2) as progress:

                def stage(text: str) -> LazyStatus:
                    progress.close()  # the bar is done; one live display at a time
                    return LazyStatus(text, console=make_console(sys.stderr))

                verdicts = fix_files(project, paths, method=chosen, dry_run=dry_run,
                                     rewrite_version_specific=rewrite_version_specific, jobs=jobs,
                                     progress=progress, verify=verify.value, python=target, stage=stage)
    render_fix(output_format, verdicts, dry_run=dry_run)
    if any(v.fixed is None for v in verdicts):
        raise typer.Exit(1)
