"""What `canon check --diff` and `--show-fixes` print: the changes `canon migrate` would make.

`canon check` itself never writes: the fixes are `canon migrate`'s codemods, planned here
without running the tests (so unverified; `canon migrate` verifies before it writes). As in
ruff, `--diff` is a unified diff per changed file and exits 1 when there is anything to fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from testcanon.config import Project
from testcanon.errors import UsageError
from testcanon.findings import Finding


def with_target_version(project: Project, value: str) -> Project:
    """The project judged for `value` (`py312`, `3.12`): a bad value is a one-line error."""
    from testcanon.syntax.version import parse_version

    parsed = parse_version(value)
    if parsed is None or parsed[0] != 3:
        raise UsageError(f"--target-version: {value!r} is not a Python version (e.g. py312 or 3.12)")
    return replace(project, config=replace(project.config, target_version=f"{parsed[0]}.{parsed[1]}"))


def fixable_codes(select: Sequence[str] | None, ignore: Sequence[str] | None) -> set[str]:
    from testcanon.migrate.run import selected_codes

    dropped = tuple(c.upper() for c in ignore or ())
    return {c for c in selected_codes(select) if not c.startswith(dropped or ("\0",))}


def planned_changes(project: Project, paths: Sequence[Path | str], codes: set[str]):
    from testcanon.migrate.run import plan

    return plan(project, paths, sorted(codes)).changes if codes else []


def print_diff(project: Project, paths: Sequence[Path | str], *, select: Sequence[str] | None,
               ignore: Sequence[str] | None, out: TextIO | None = None) -> int:
    """Print every planned change as a unified diff; the exit code: 1 when there is one."""
    import sys

    from testcanon.output.diff import unified

    out = out or sys.stdout
    changes = planned_changes(project, paths, fixable_codes(select, ignore))
    for change in sorted(changes, key=lambda c: c.path):
        out.write(unified(change.before, change.after, change.path))
    print(f"{len(changes)} file(s) would be changed by `canon migrate`"
          + (" (not verified: canon migrate runs the affected tests before it writes)" if changes else ""),
          file=sys.stderr)
    return 1 if changes else 0


def print_fixable(project: Project, paths: Sequence[Path | str], findings: list[Finding],
                  out: TextIO) -> None:
    """Which of `findings` `canon migrate` has a planned change for, per file and code."""
    codes = fixable_codes(None, None) & {f.code for f in findings}
    planned = {(c.path, code) for c in planned_changes(project, paths, codes) for code in c.codes}
    fixable = Counter((f.path, f.code) for f in findings if (f.path, f.code) in planned)
    total = sum(fixable.values())
    out.write(f"{total} of {len(findings)} finding(s) fixable with `canon migrate` (`canon check --diff` "
              "shows the changes)" + (":\n" if total else "\n"))
    for (path, code), count in sorted(fixable.items()):
        out.write(f"  {path}: {code}" + (f" x{count}" if count > 1 else "") + "\n")
