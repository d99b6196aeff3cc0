"""The output of `canon fix` in the formats it accepts: per-file verdicts with their diffs
(`--dry-run`) and a summary table for people, one JSON document for programs."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import IO, Any

from testcanon.output.envelope import envelope
from testcanon.output.formats import OutputFormat
from testcanon.repair.fixer import FileVerdict, breaking_commits

_STYLES = {"fixed-by-history": "green", "fixed-locally": "green", "version-specific": "yellow"}
_ORDER = ("fixed-by-history", "fixed-locally", "version-specific", "unfixable", "changed-during-run")


def render_fix(output_format: OutputFormat, verdicts: Sequence[FileVerdict], *, dry_run: bool,
               handle: IO[str] | None = None) -> None:
    """Write the report of a `canon fix` run to `handle` (default: stdout)."""
    handle = handle or sys.stdout
    if output_format is OutputFormat.json:
        handle.write(json.dumps(fix_document(verdicts, dry_run=dry_run), indent=1) + "\n")
    else:
        print_fix(handle, verdicts, dry_run=dry_run)


def fix_document(verdicts: Sequence[FileVerdict], *, dry_run: bool) -> dict[str, Any]:
    return envelope("fix", files=[v.to_json() for v in verdicts], dry_run=dry_run,
                    breaking_commits=[{"hash": b.commit, "date": b.date, "subject": b.subject, "files": n}
                                      for b, n in breaking_commits(list(verdicts))])


def print_fix(handle: IO[str], verdicts: Sequence[FileVerdict], *, dry_run: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from testcanon.output.text import make_console

    console = make_console(handle)
    for v in verdicts:
        style = _STYLES.get(v.verdict, "red")
        console.print(f"[{style}]{v.verdict}[/{style}] {escape(v.path)}: {escape(v.detail)}"
                      + (f" [dim](proof: {v.proof})[/dim]" if v.proof else ""))
        if v.breaking:
            console.print(f"    broken by {v.breaking.commit[:10]} ({v.breaking.date[:10]}) "
                          f"{escape(v.breaking.subject)}")
        for edit in v.edits:
            console.print(f"    {escape(edit)}")
        if dry_run and v.write is not None:
            console.print(escape(v.write.diff()), end="")
    table = Table(title="canon fix", title_justify="left")
    table.add_column("verdict")
    table.add_column("files", justify="right")
    table.add_column("tests preserved", justify="right")
    for name in _ORDER:
        group = [v for v in verdicts if v.verdict == name]
        if group:
            kept = sum(v.tests for v in group if v.fixed is not None)
            table.add_row(name, str(len(group)), str(kept) if kept else "—")
    console.print(table)
    top = breaking_commits(list(verdicts))[:5]
    if top:
        console.print("[bold]commits that broke the most files[/bold]")
        for breaking, count in top:
            console.print(f"  {count:>4}  {breaking.commit[:10]} {breaking.date[:10]} "
                          f"{escape(breaking.subject)}")
    if verdicts and not dry_run and any(v.fixed for v in verdicts):
        console.print("undo with `canon undo`")
