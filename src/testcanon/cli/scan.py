"""`canon scan`: which Python files cannot even be compiled."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from testcanon.output.formats import FINDINGS, OutputFormat, format_option


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)


def scan_command(
    paths: list[Path] | None = typer.Argument(None, help="Files or folders (default: the project)."),
    output_format: OutputFormat = format_option(FINDINGS),
    output: Path | None = typer.Option(None, "--output", "-o", dir_okay=False,
                                       help="Write the report to a file."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore and do not update the cache."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when files are broken."),
    frames: bool = typer.Option(True, "--frames/--no-frames", help="Show code frames."),
    no_baseline: bool = typer.Option(False, "--no-baseline",
                                     help="Report every broken file, ignoring the baseline."),
    config: Path | None = typer.Option(None, "--config", help="Use this pyproject.toml's settings."),
    exclude: str | None = typer.Option(None, "--exclude",
                                       help="Globs replacing the exclude setting, comma-separated."),
    extend_exclude: str | None = typer.Option(None, "--extend-exclude",
                                              help="Globs to exclude as well, comma-separated."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="Only the files that fail, and one summary line."),
    statistics: bool = typer.Option(False, "--statistics", help="Counts per code only."),
    force_exclude: bool = typer.Option(False, "--force-exclude",
                                       help="Apply exclude settings to files named on the command line too."),
    target_version: str | None = typer.Option(None, "--target-version", metavar="VERSION",
                                              help="Python the code is judged for (py312 or 3.12)."),
) -> None:
    """Find every Python file that does not compile (without running it)."""
    from testcanon.cli._common import load_with_overrides
    from testcanon.rules import baseline as ratchet
    from testcanon.source import discover
    from testcanon.syntax import scan
    from testcanon.syntax.render import render_scan
    from testcanon.syntax.rules import SCAN_RULES
    from testcanon.syntax.summary import summarize

    paths = paths or []
    project = load_with_overrides(paths, config=config, exclude=exclude, extend_exclude=extend_exclude)
    if target_version is not None:
        from testcanon.rules.fixes import with_target_version

        project = with_target_version(project, target_version)
    excluded_all = False
    if force_exclude and paths:
        kept = not_excluded(project, paths)
        excluded_all, paths = not kept, kept or paths
    files = [] if excluded_all else discover(project, paths)
    if output_format is OutputFormat.text:
        from testcanon.output.progress import LazyProgress
        from testcanon.output.text import make_console

        with LazyProgress(make_console(), "compiling") as progress:
            report = scan(project, files, jobs=jobs, use_cache=not no_cache, progress=progress)
    else:  # machine formats: no progress bar, and no need to import rich at all
        report = scan(project, files, jobs=jobs, use_cache=not no_cache)
    summary = summarize(report, project.config.priority)
    # The baseline `canon check --write-baseline` records covers these codes too: legacy broken
    # files do not fail, new ones do. Only the baseline entries of what was scanned are compared.
    stored = None if no_baseline else ratchet.load(project)
    scope = (ratchet.Scope(paths=("\0nothing",)) if excluded_all
             else ratchet.scope_for(project, paths, codes=[rule.code for rule in SCAN_RULES]))
    comparison = ratchet.compare(report.findings, stored, scope) if stored is not None else None
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        render_scan(handle, output_format, project.root, report, summary, comparison,
                    priority=project.config.priority, frames=frames, quiet=quiet, statistics=statistics)
    finally:
        if output:
            handle.close()
    failing = comparison.new if comparison is not None else report.findings
    if failing and not exit_zero:
        raise typer.Exit(1)


def not_excluded(project, paths: list[Path]) -> list[Path]:
    """ruff's `--force-exclude`: pre-commit names files one by one, and a file named that way
    is otherwise scanned even when `exclude`/`extend_exclude` leave it out."""
    from testcanon.source.globs import GlobSet

    excludes = GlobSet(project.config.all_excludes)
    root = project.root.resolve()
    kept = []
    for path in paths:
        try:
            relpath = path.resolve().relative_to(root).as_posix()
        except ValueError:
            relpath = None  # outside the project: discover() says so
        if relpath is None or not excludes.match(relpath):
            kept.append(path)
    return kept
