"""`canon scan`: which Python files cannot even be compiled."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from testcanon.output.formats import OutputFormat

SCHEMA_VERSION = 1


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)


def scan_command(
    paths: list[Path] | None = typer.Argument(None, help="Files or folders (default: the project)."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", dir_okay=False, help="Write the report to a file."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore and do not update the cache."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when files are broken."),
    frames: bool = typer.Option(True, "--frames/--no-frames", help="Show code frames."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Report every broken file, ignoring the baseline."),
    config: Path | None = typer.Option(None, "--config", help="Use this pyproject.toml's settings."),
    exclude: str | None = typer.Option(None, "--exclude", help="Globs replacing the exclude setting, comma-separated."),
    extend_exclude: str | None = typer.Option(None, "--extend-exclude", help="Globs to exclude as well, comma-separated."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the files that fail, and one summary line."),
    statistics: bool = typer.Option(False, "--statistics", help="Counts per code only."),
    force_exclude: bool = typer.Option(False, "--force-exclude",
                                       help="Apply exclude settings to files named on the command line too."),
    target_version: str | None = typer.Option(None, "--target-version", metavar="VERSION",
                                              help="Python the code is judged for (py312 or 3.12)."),
) -> None:
    """Find every Python file that does not compile (without running it)."""
    from testcanon.__about__ import __version__
    from testcanon.cli._common import load_with_overrides
    from testcanon.output.github import to_github
    from testcanon.output.location import repository_prefix
    from testcanon.output.sarif import to_sarif
    from testcanon.rules import baseline as ratchet
    from testcanon.source import discover
    from testcanon.syntax import scan
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
    failing = comparison.new if comparison is not None else report.findings
    prefix = repository_prefix(project.root)
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        if output_format is OutputFormat.json:
            document = {
                "schema_version": SCHEMA_VERSION,
                "tool": {"name": "testcanon", "version": __version__},
                "command": "scan",
                "root": str(project.root),
                "path_prefix": prefix,
                "summary": summary.to_json(),
                "baseline": None if comparison is None else {
                    "new": len(comparison.new), "unchanged": len(comparison.unchanged),
                    "fixed": len(comparison.fixed)},
                "findings": [{**f.to_json(), "path": prefix + f.path, "kind": f.data["kind"], "frame": f.frame,
                              "baseline_state": comparison.states.get(f.fingerprint) if comparison else None}
                             for f in report.findings],
            }
            handle.write(json.dumps(document) + "\n")
        elif output_format is OutputFormat.sarif:
            sarif = to_sarif(report.findings, SCAN_RULES, tool_version=__version__,
                             baseline_states=comparison.states if comparison else None,
                             absent=comparison.fixed if comparison else (),
                             automation_id="testcanon/scan/", path_prefix=prefix)
            handle.write(json.dumps(sarif) + "\n")
        elif output_format is OutputFormat.github:
            handle.write(to_github(failing, path_prefix=prefix))
        else:
            from testcanon.output.text import make_console

            console = make_console(handle)
            if quiet or statistics:
                from testcanon.output.text import print_brief, print_statistics

                if statistics:
                    print_statistics(console, failing)
                print_brief(console, failing, files=summary.files, listed=not statistics,
                            baselined=len(comparison.unchanged) if comparison else 0, unit="file(s) that do not compile")
            else:
                _print_text(console, report, summary, project.config.priority, frames, failing, comparison)
    finally:
        if output:
            handle.close()
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


def _print_text(console, report, summary, priority_globs, frames: bool, failing, comparison) -> None:
    from testcanon.output.text import counts_table, print_groups, print_tables
    from testcanon.syntax.summary import OTHER_GROUP

    labels = [*priority_globs, OTHER_GROUP]
    groups: dict[str, list] = {label: [] for label in labels}
    shown = {id(f) for f in failing}
    for finding in (f for f in report.findings if id(f) in shown):
        index = min(report.priority_of.get(finding.path, len(priority_globs)), len(priority_globs))
        groups[labels[index]].append(finding)
    if not priority_globs:
        groups = {"files that do not compile": groups[OTHER_GROUP]}
    print_groups(console, groups, show_frame=frames)
    if report.findings:
        print_tables(console, [
            counts_table("By error kind", summary.by_kind, key_header="kind"),
            counts_table("By top-level folder", summary.by_folder, key_header="folder"),
            counts_table("By priority group", summary.by_priority, key_header="group")
            if priority_globs else counts_table("", {}, key_header=""),
        ])
    if comparison is not None and (comparison.unchanged or comparison.fixed):
        console.print(f"baseline: [bold]{len(comparison.new)} new[/bold], {len(comparison.unchanged)} "
                      f"unchanged (not shown; --no-baseline shows them), {len(comparison.fixed)} fixed")
    status = "[bold red]" if failing else "[bold green]"
    console.print(
        f"{status}{summary.broken:,} of {summary.files:,} files do not compile[/] "
        f"[dim]({summary.cached:,} from cache, {summary.elapsed:.2f}s)[/dim]"
    )
