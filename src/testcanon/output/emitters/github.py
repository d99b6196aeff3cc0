"""GitHub Actions workflow annotations (`::error file=...::message`), one per finding."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from testcanon.findings import Finding

if TYPE_CHECKING:
    from testcanon.output.emitters import FindingsReport

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def write(handle: IO[str], report: FindingsReport) -> None:
    """Only the findings the baseline does not hold: a baselined finding is not news on a PR."""
    handle.write(to_github(report.failing, path_prefix=report.path_prefix))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(findings: Iterable[Finding], *, path_prefix: str = "") -> str:
    """Annotation lines as the GitHub runner parses them from a step's output; `path_prefix`
    is the project's folder in its repository (GitHub attaches annotations by repository path)."""
    lines = []
    for finding in findings:
        props = [f"file={_escape_property(path_prefix + finding.path)}", f"line={finding.line}",
                 f"col={finding.column}"]
        if finding.end_line:
            props.append(f"endLine={finding.end_line}")
        props.append(f"title={_escape_property(finding.code)}")
        level = _LEVEL.get(finding.severity, "error")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f'{finding.code} {finding.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")
