"""The text output of `canon run`: which interpreter and which affected files, one line per
category as it finishes (with its failures), the summary table and what was not run; and the
report of `canon run --combine`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from testcanon.target import TargetPython


def print_target(console: Console, target: TargetPython, *, verbose: bool) -> None:
    if verbose:
        console.print(f"python: {escape(target.describe())}")
    if target.is_own:
        console.print(f"[yellow]note[/yellow]: {escape(target.fallback_note())}")


def print_affected(console: Console, base: str, reasons: Mapping[str, str]) -> None:
    console.print(f"[bold]affected since {escape(base)}[/bold]: {len(reasons)} test file(s)")
    for path, reason in sorted(reasons.items()):
        console.print(f"  {escape(path)}: {escape(reason)}")


def print_category(console: Console, run: Any) -> None:
    """One category run, printed as soon as it is done (`execute`'s `on_category`)."""
    counts = run.counts
    mark = "[green]ok[/green]" if run.ok else "[bold red]FAILED[/bold red]"
    console.print(f"layer {run.layer} {escape(run.category)}: {mark} {counts['passed']} passed, "
                  f"{counts['failed']} failed, {counts['errors']} errors, {counts['skipped']} skipped "
                  f"({run.seconds:.1f}s)")
    if run.failure:
        console.print(f"  [red]{escape(run.failure)}[/red]")
    for result in run.results:
        if result.outcome in ("failed", "error", "collection_error"):
            console.print(f"  [red]{result.outcome}[/red] {escape(result.nodeid)}")


def print_report(console: Console, report: Any) -> None:
    """The summary once every layer ran (or fail-fast stopped)."""
    table = Table(title="canon run", title_justify="left")
    for header in ("layer", "category", "files", "passed", "failed", "errors", "skipped", "time"):
        table.add_column(header, justify="left" if header == "category" else "right")
    for run in report.runs:
        c = run.counts
        files = str(len(run.files)) if run.files or report.collected else "all"
        table.add_row(str(run.layer), escape(run.category), files, str(c["passed"]),
                      str(c["failed"]), str(c["errors"]), str(c["skipped"]), f"{run.seconds:.1f}s")
    console.print(table)
    if report.stopped_after_layer is not None:
        console.print(f"[bold red]layer {report.stopped_after_layer} failed: later layers not run "
                      "(--no-fail-fast runs them)[/bold red]")
    if report.not_run:
        reasons: dict[str, int] = {}
        for why in report.not_run.values():
            reasons[why] = reasons.get(why, 0) + 1
        console.print(f"{len(report.not_run)} test file(s) not run: "
                      + "; ".join(f"{n} {escape(why)}" for why, n in sorted(reasons.items())))
    if report.target is not None and report.target.is_own and _import_errors(report):
        console.print("[yellow]hint[/yellow]: the tests import modules testcanon's own interpreter lacks: "
                      "point --python (or \\[tool.testcanon] python) at the project's environment")
    if report.services_started:
        console.print(f"services started and stopped: {', '.join(report.services_started)}")


def print_no_tests(console: Console) -> None:
    console.print("no test files selected")


def _import_errors(report: Any) -> bool:
    return any(r.outcome == "collection_error"
               and ("ModuleNotFoundError" in r.longrepr or "ImportError" in r.longrepr)
               for run in report.runs for r in run.results)


def print_combined(console: Console, combined: Any) -> None:
    """`canon run --combine`: outcomes over every shard, and what ran never or twice."""
    outcomes: dict[str, int] = {}
    for test in combined.tests:
        outcomes[str(test["outcome"])] = outcomes.get(str(test["outcome"]), 0) + 1
    console.print(f"combined {len(combined.shards)}/{combined.count} shard(s) of plan {combined.digest}: "
                  + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))
    for problem in combined.problems:
        console.print(f"[red]{escape(problem)}[/red]")
    for label, names in (("never ran", combined.missing), ("ran more than once", combined.duplicated)):
        if names:
            console.print(f"[red]{len(names)} planned test(s) {label}[/red]: "
                          + escape(", ".join(names[:10])) + (" ..." if len(names) > 10 else ""))
