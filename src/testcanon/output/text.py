"""Human output: findings with code frames, grouped, and summary tables (rich)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from testcanon.findings import Finding


def make_console(file=None) -> Console:
    return Console(file=file or sys.stdout, highlight=False, soft_wrap=True)


def print_finding(console: Console, finding: Finding, *, show_frame: bool = True) -> None:
    """`path:line:col: CODE message`, then the code frame, like ruff's full output."""
    kind = finding.data.get("kind")
    suffix = f" [dim]\\[{escape(str(kind))}][/dim]" if kind else ""
    console.print(
        f"[bold]{escape(finding.path)}[/bold]:{finding.line}:{finding.column}: "
        f"[bold red]{finding.code}[/bold red] {escape(finding.message)}{suffix}"
    )
    if show_frame and finding.frame:
        console.print(f"[dim]{escape(finding.frame)}[/dim]")


def print_groups(
    console: Console,
    groups: Mapping[str, list[Finding]],
    *,
    show_frame: bool = True,
) -> None:
    """Findings under a heading per group, in the mapping's order (priority groups first)."""
    for heading, findings in groups.items():
        if not findings:
            continue
        console.rule(f"[bold]{escape(heading)}[/bold] ({len(findings)})", align="left")
        for finding in findings:
            print_finding(console, finding, show_frame=show_frame)
        console.print()


def counts_table(title: str, counts: Mapping[str, int], *, key_header: str) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column(key_header)
    table.add_column("files", justify="right")
    for key, count in counts.items():
        table.add_row(escape(key), f"{count:,}")
    return table


def print_tables(console: Console, tables: Iterable[Table]) -> None:
    for table in tables:
        if table.row_count:
            console.print(table)
            console.print()


def print_brief(console: Console, findings: list[Finding], *, baselined: int, files: int,
                unit: str = "finding(s)", listed: bool = True) -> None:
    """`-q`: the findings that fail, one line each, and one summary line (what a pre-commit hook
    shows: nothing about the findings the baseline already accepts)."""
    for finding in findings if listed else ():
        console.print(f"{escape(finding.path)}:{finding.line}:{finding.column}: "
                      f"[bold red]{finding.code}[/bold red] {escape(finding.message)}")
    accepted = f", {baselined:,} in the baseline" if baselined else ""
    status = "[bold red]" if findings else "[bold green]"
    console.print(f"{status}{len(findings):,} new {unit}[/] in {files:,} files{accepted}")


def print_statistics(console: Console, findings: list[Finding]) -> None:
    """`--statistics`: one line per code, most frequent first, as ruff prints them."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        console.print(f"{count:>6,}  {code}")
