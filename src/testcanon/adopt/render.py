"""The output of `canon init`: what was found in the repository (each guess with its evidence),
then the diffs (`--dry-run`) or the files written, and what was not written and why."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from testcanon.adopt.apply import InitResult, diff


def print_init(console: Console, root: Path, result: InitResult, *, dry_run: bool) -> None:
    found = result.inference
    console.print(f"[bold]What testcanon found in {escape(str(root))}[/bold]")
    console.print(f"  {found.test_files:,} test files")
    for guess in found.test_paths:
        console.print(f"  test root {escape(str(guess.value))}: {escape(guess.evidence)}")
    if found.pytest_args is not None:
        console.print(f"  pytest options {escape(' '.join(map(str, found.pytest_args.value)))}: "
                      f"{escape(found.pytest_args.evidence)}")
    for name, evidence in found.category_evidence.items():
        console.print(f"  category {name}: {escape(evidence)}")
    for name, evidence in found.area_evidence.items():
        console.print(f"  coverage area {name}: {escape(evidence)}")
    for guess in found.infra:
        console.print(f"  test infrastructure {escape(str(guess.value))}: {escape(guess.evidence)}")
    for guess in found.excludes:
        console.print(f"  exclude {escape(str(guess.value))}/: {escape(guess.evidence)}")
    if found.home_made_bases:
        top = found.home_made_bases[0]
        console.print(f"  {len(found.home_made_bases)} home-made base classes; the most used is "
                      f"{escape(top[0])} ({top[2]:,} test classes)")
    if not result.changes:
        console.print("nothing to change: testcanon is already set up here")
        return
    for change in result.changes:
        if dry_run:
            console.print(escape(diff(change, root)), end="")
        else:
            console.print(f"[green]wrote[/green] {escape(os.path.relpath(change.path, root))}"
                          f" — {escape(change.why)}")
    for line in result.not_written:
        console.print(f"[red]not written[/red] {escape(line)}")
    console.print(f"baseline: {escape(result.baseline)}")
    if not dry_run:
        at = result.journal and os.path.relpath(result.journal, root)
        console.print("undo all of it with `canon undo`" + (f" (journalled at the repository root, {at})"
                                                            if at and at != "." else ""))
