"""The output of `canon scan` in every format it accepts: text (findings grouped by priority,
with code frames, and the count tables), the JSON document, SARIF and GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from testcanon.output.emitters import FindingsReport
from testcanon.output.formats import OutputFormat
from testcanon.syntax.scan import ScanReport
from testcanon.syntax.summary import ScanSummary

if TYPE_CHECKING:
    from rich.console import Console

    from testcanon.findings import Finding
    from testcanon.rules.baseline import Comparison


def render_scan(handle: IO[str], output_format: OutputFormat, root: Path, report: ScanReport,
                summary: ScanSummary, comparison: Comparison | None, *, priority: Sequence[str] = (),
                frames: bool = True, quiet: bool = False, statistics: bool = False) -> None:
    """Write the report of a scan of the project at `root` to `handle`."""
    from testcanon.output.location import repository_prefix
    from testcanon.syntax.rules import SCAN_RULES

    prefix = repository_prefix(root)
    failing = comparison.new if comparison is not None else report.findings
    if output_format is OutputFormat.json:
        handle.write(json.dumps(scan_document(root, prefix, report, summary, comparison)) + "\n")
    elif (emitter := output_format.emitter) is not None:
        emitter.write(handle, FindingsReport("scan", report.findings, SCAN_RULES, comparison, prefix))
    else:
        from testcanon.output.text import make_console

        console = make_console(handle)
        if quiet or statistics:
            from testcanon.output.text import print_brief, print_statistics

            if statistics:
                print_statistics(console, failing)
            print_brief(console, failing, files=summary.files, listed=not statistics,
                        baselined=len(comparison.unchanged) if comparison else 0,
                        unit="file(s) that do not compile")
        else:
            print_scan(console, report, summary, list(priority), frames, failing, comparison)


def scan_document(root: Path, prefix: str, report: ScanReport, summary: ScanSummary,
                  comparison: Comparison | None) -> dict[str, Any]:
    """`--format json`: the envelope, the summary and every file that does not compile."""
    from testcanon.output.envelope import baseline_counts, envelope

    return envelope(
        "scan", root=str(root), path_prefix=prefix, summary=summary.to_json(),
        baseline=baseline_counts(comparison),
        findings=[{**f.to_json(), "path": prefix + f.path, "kind": f.data["kind"], "frame": f.frame,
                   "baseline_state": comparison.states.get(f.fingerprint) if comparison else None}
                  for f in report.findings])


def print_scan(console: Console, report: ScanReport, summary: ScanSummary, priority_globs: list[str],
               frames: bool, failing: list[Finding], comparison: Comparison | None) -> None:
    """The text report: files by priority group with their frames, the tables, the summary."""
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
