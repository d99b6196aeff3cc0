"""SARIF and GitHub annotations of a list of findings: the two formats `canon check` and `canon
scan` render alike, from their findings, their rules and the baseline's comparison."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING

from testcanon.output.formats import OutputFormat

if TYPE_CHECKING:
    from testcanon.findings import Finding, RuleInfo
    from testcanon.rules.baseline import Comparison


def write_for_machines(handle: IO[str], output_format: OutputFormat, *, command: str,
                       findings: Sequence[Finding], rules: Iterable[RuleInfo], comparison: Comparison | None,
                       path_prefix: str) -> None:
    """Write `findings` as SARIF (every finding, with its baseline state) or as GitHub
    annotations (only those the baseline does not hold)."""
    if output_format is OutputFormat.sarif:
        from testcanon.__about__ import __version__
        from testcanon.output.sarif import to_sarif

        sarif = to_sarif(findings, rules, tool_version=__version__,
                         baseline_states=comparison.states if comparison else None,
                         absent=comparison.fixed if comparison else (),
                         automation_id=f"testcanon/{command}/", path_prefix=path_prefix)
        handle.write(json.dumps(sarif) + "\n")
    elif output_format is OutputFormat.github:
        from testcanon.output.github import to_github

        failing = comparison.new if comparison is not None else findings
        handle.write(to_github(failing, path_prefix=path_prefix))
    else:
        raise ValueError(f"not a format for machines: {output_format.value}")
