"""The output of `canon collect` in the formats it accepts: the failing files clustered by root
cause for people (with which interpreter collected, when it matters), one JSON document for
programs."""

from __future__ import annotations

import json
import sys
from typing import IO

from testcanon.output.envelope import envelope
from testcanon.output.formats import OutputFormat
from testcanon.runner.collect import CollectionHealth
from testcanon.target import TargetPython

SHOWN_PER_CLUSTER = 10


def render_collect(output_format: OutputFormat, health: CollectionHealth, target: TargetPython, *,
                   verbose: bool = False, handle: IO[str] | None = None) -> None:
    """Write the report of a `canon collect` run to `handle` (default: stdout)."""
    handle = handle or sys.stdout
    if output_format is OutputFormat.json:
        handle.write(json.dumps(envelope("collect", **health.to_json()), indent=1) + "\n")
        return
    from rich.markup import escape

    from testcanon.output.text import make_console

    console = make_console(handle)
    if verbose:
        console.print(f"python: {escape(target.describe())}")
    if target.is_own:
        console.print(f"note: {escape(target.fallback_note())}")
        if any(e.cause.startswith(("ModuleNotFoundError", "ImportError")) for e in health.errors):
            console.print("hint: the tests import modules testcanon's own interpreter lacks: point "
                          "--python (or \\[tool.testcanon] python) at the project's environment")
    for cluster in health.clusters:
        console.print(f"[bold]{len(cluster.files)} file(s)[/bold]: {escape(cluster.cause)}")
        if cluster.chain:
            console.print(f"    import chain: {escape(' -> '.join(cluster.chain))}")
        for name in sorted(cluster.files)[:SHOWN_PER_CLUSTER]:
            console.print(f"    {escape(name)}")
        if len(cluster.files) > SHOWN_PER_CLUSTER:
            console.print(f"    ... and {len(cluster.files) - SHOWN_PER_CLUSTER} more")
    console.print(f"collected {health.collected:,} / {health.test_files:,} test files "
                  f"({health.failed_files:,} failing)")
