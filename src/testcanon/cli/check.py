"""`canon check`: every SSOT violation, with a ratchet against a baseline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import FINDINGS, OutputFormat, format_option


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)


def _codes(value: Optional[str], option: str = "--select") -> Optional[list[str]]:
    if not value:
        return None
    from testcanon.config.validate import check_rule_codes

    codes = [c.strip() for c in value.split(",") if c.strip()]
    check_rule_codes(codes, option=option)
    return codes


def check_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders (default: the project)."),
    output_format: OutputFormat = format_option(FINDINGS),
    output: Optional[Path] = typer.Option(None, "--output", "-o", dir_okay=False,
                                          help="Write the report to a file."),
    select: Optional[str] = typer.Option(None, "--select", help="Codes or prefixes, comma-separated."),
    ignore: Optional[str] = typer.Option(None, "--ignore", help="Codes or prefixes to skip."),
    statistics: bool = typer.Option(False, "--statistics", help="Counts per rule only."),
    write_baseline: bool = typer.Option(False, "--write-baseline", help="Record today's findings."),
    update_baseline: bool = typer.Option(False, "--update-baseline",
                                         help="Drop fixed findings from the baseline."),
    allow_growth: bool = typer.Option(False, "--allow-growth",
                                      help="Let --update-baseline add new findings."),
    no_baseline: bool = typer.Option(False, "--no-baseline",
                                     help="Report every finding, ignoring the baseline."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore and do not update caches."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even with findings."),
    config: Optional[Path] = typer.Option(None, "--config", help="Use this pyproject.toml's settings."),
    exclude: Optional[str] = typer.Option(None, "--exclude",
                                          help="Globs replacing the exclude setting, comma-separated."),
    extend_exclude: Optional[str] = typer.Option(None, "--extend-exclude",
                                                 help="Globs to exclude as well, comma-separated."),
    force_exclude: bool = typer.Option(False, "--force-exclude",
                                       help="Apply exclude settings to files named on the command line too."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="Only the findings that fail, and one summary line."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes `canon migrate` would make as a unified "
                              "diff (not verified); write nothing; exit 1 if there are any."),
    show_fixes: bool = typer.Option(False, "--show-fixes", help="List the findings `canon migrate` can fix."),
    target_version: Optional[str] = typer.Option(None, "--target-version", metavar="VERSION",
                                                 help="Python the code is judged for (py312 or 3.12)."),
) -> None:
    """Report every SSOT violation (base classes, runner bypasses, env access, ...)."""
    from testcanon.cli._common import load_with_overrides
    from testcanon.rules import baseline as ratchet
    from testcanon.rules.engine import check_project
    from testcanon.rules.render import render_check

    paths = paths or []
    project = load_with_overrides(paths, config=config, exclude=exclude, extend_exclude=extend_exclude)
    if target_version is not None:
        from testcanon.rules.fixes import with_target_version

        project = with_target_version(project, target_version)
    if diff:
        from testcanon.rules.fixes import print_diff

        raise typer.Exit(print_diff(project, paths, select=_codes(select), ignore=_codes(ignore, "--ignore")))
    excluded_all = False
    if force_exclude and paths:
        from testcanon.cli.scan import not_excluded

        kept = not_excluded(project, paths)
        excluded_all, paths = not kept, kept or paths
    if excluded_all:  # every file named is excluded (pre-commit passes them anyway)
        from testcanon.rules.engine import CheckResult

        result = CheckResult([], {})
        scope = ratchet.Scope(paths=("\0nothing",))
        quiet = True  # no metrics to tabulate
    else:
        from testcanon.output.progress import LazyStatus

        with LazyStatus(f"canon check: {project.root.name}"):
            result = check_project(project, paths, jobs=jobs, use_cache=not no_cache,
                                   select=_codes(select), ignore=_codes(ignore, "--ignore"))
        # Only the part of the baseline this run looked at is compared and rewritten.
        scope = ratchet.scope_for(project, paths, select=_codes(select), ignore=_codes(ignore, "--ignore"))
    if write_baseline:
        count = ratchet.save(project, result.findings, scope=scope)
        typer.echo(f"wrote {ratchet.baseline_path(project).relative_to(project.root)} ({count} findings)")
        return
    stored = None if no_baseline else ratchet.load(project)
    comparison = ratchet.compare(result.findings, stored, scope) if stored is not None else None
    if update_baseline:
        if stored is None:
            typer.echo("canon: error: no baseline to update; use --write-baseline", err=True)
            raise typer.Exit(2)
        assert comparison is not None
        if comparison.new and not allow_growth:
            typer.echo(f"canon: refusing to grow the baseline by {len(comparison.new)} new finding(s); "
                       "fix them or pass --allow-growth", err=True)
            raise typer.Exit(1)
        kept = comparison.unchanged + (comparison.new if allow_growth else [])
        count = ratchet.save(project, kept, scope=scope)
        typer.echo(f"baseline: {count} findings ({len(comparison.fixed)} fixed removed)")
        return

    failing = comparison.new if comparison is not None else result.findings
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        render_check(handle, output_format, project.root, result, comparison, quiet=quiet,
                     statistics=statistics)
        if show_fixes and output_format is OutputFormat.text:
            from testcanon.rules.fixes import print_fixable

            print_fixable(project, paths, failing, handle)
    finally:
        if output:
            handle.close()
    if failing and not exit_zero:
        raise typer.Exit(1)
