"""The output of `canon migrate` in the formats it accepts: diffs (`--dry-run`) or one line per
changed file, what was left and why, and the proof, for people; one JSON document for programs."""

from __future__ import annotations

import difflib
import json
import sys
from typing import IO, Any

from testcanon.migrate.run import MigrationReport
from testcanon.output.envelope import envelope
from testcanon.output.formats import OutputFormat


def render_migrate(output_format: OutputFormat, report: MigrationReport, *, dry_run: bool, diff_stat: bool,
                   verified: bool, handle: IO[str] | None = None) -> None:
    """Write the report of a `canon migrate` run to `handle` (default: stdout); `verified`:
    whether the changes were verified at all (not `--no-verify`)."""
    handle = handle or sys.stdout
    if output_format is OutputFormat.json:
        document = migrate_document(report, written=not (dry_run or diff_stat), verified=verified)
        handle.write(json.dumps(envelope("migrate", **document), indent=1) + "\n")
    else:
        print_migrate(handle, report, dry_run=dry_run, diff_stat=diff_stat)


def migrate_document(report: MigrationReport, *, written: bool, verified: bool) -> dict[str, Any]:
    return {
        "changed": [{"path": c.path, "codes": sorted(c.codes), "notes": c.notes,
                     "proof": report.proof.get(c.path)} for c in report.changes],
        "rejected": report.rejected,
        "outcome_changes": {path: [{"test": test, "before": old, "after": new} for test, old, new in moved]
                            for path, moved in report.outcome_changes.items()},
        "manual_review": report.review, "not_converted": report.skipped,
        "left": [{"code": item.code, "target": item.target, "site": item.site, "count": item.count,
                  "reason": item.reason} for item in report.left],
        "verify": report.verify_level if verified else None,
        "proof": report.proof,
        "verified_by_outcomes": report.verified_by_outcomes,
        "verified_by_collection": report.verified_by_collection,
        "verified_statically": report.verified_statically,
        "collection_failure": report.collection_failure,
        "collected_with_pytest_defaults": report.collected_with_defaults,
        "collection_seconds": round(report.collection_seconds, 3),
        "verify_fallback": report.verify_fallback,
        "flaky": report.flaky,
        "target": report.target or None,
        "copy": report.copy or None,
        "test_seconds": round(report.test_seconds, 3),
        "written": written}


def print_migrate(handle: IO[str], report: MigrationReport, *, dry_run: bool, diff_stat: bool) -> None:
    from rich.markup import escape

    from testcanon.output.text import make_console

    console = make_console(handle)
    for change in report.changes:
        if dry_run:
            console.print(escape(change.write.diff()), end="")
        else:
            before = change.before.decode("utf-8", "replace").splitlines()
            after = change.after.decode("utf-8", "replace").splitlines()
            plus = sum(1 for line in difflib.ndiff(before, after) if line.startswith("+ "))
            minus = sum(1 for line in difflib.ndiff(before, after) if line.startswith("- "))
            console.print(f"{escape(change.path)} | +{plus} -{minus} | {', '.join(sorted(change.codes))}: "
                          f"{escape('; '.join(change.notes))}")
    for path, why in sorted(report.rejected.items()):
        console.print(f"[red]not migrated[/red] {escape(path)}: {escape(why)}")
    for note in report.review:
        console.print(f"[yellow]manual review[/yellow] {escape(note)}")
    for note in report.skipped:
        console.print(f"[dim]left as is[/dim] {escape(note)}")
    for item in report.left:
        console.print(f"[yellow]left[/yellow] {escape(item.describe())}")
    if report.flaky:
        console.print(f"[yellow]flaky[/yellow] (outcome differed between two runs before the change; "
                      f"not counted): {escape(', '.join(report.flaky[:10]))}"
                      + (f" and {len(report.flaky) - 10} more" if len(report.flaky) > 10 else ""))
    if report.verify_fallback:
        console.print("[yellow]the affected tests could not run[/yellow] "
                      f"({escape(report.verify_fallback)}): "
                      "verified by collected tests instead")
    if report.collected_with_defaults:
        console.print("[yellow]pytest refused the project's configuration[/yellow]: tests were collected "
                      "with pytest's defaults, before and after alike")
    if report.collection_failure:
        console.print("[yellow]pytest could not collect here[/yellow] "
                      f"({escape(report.collection_failure)}): "
                      "every change was verified statically (compiles, every test name kept)")
    verb = "would change" if (dry_run or diff_stat) else "changed"
    console.print(f"{verb} {len(report.changes)} file(s); verified by test outcomes: "
                  f"{report.verified_by_outcomes}, by identical collected tests: "
                  f"{report.verified_by_collection}, statically: {report.verified_statically}"
                  + ("" if (dry_run or diff_stat) else "; undo with `canon undo`"))
