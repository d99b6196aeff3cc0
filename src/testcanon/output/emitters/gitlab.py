"""GitLab Code Quality: the JSON report a pipeline's `artifacts:reports:codequality` takes.

Every finding is listed, the baselined ones too: GitLab itself compares a merge request's report
with its target branch's, so a finding already there is not shown as new. Each issue needs a
fingerprint unique in the report; a finding's own fingerprint (rule, file, offending text) repeats
when the same text offends twice in a file, so repeats are numbered. Paths are from the
repository root, as GitLab attaches issues by repository path.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testcanon.output.emitters import FindingsReport

_SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def write(handle: IO[str], report: FindingsReport) -> None:
    handle.write(json.dumps(to_code_quality(report), indent=2) + "\n")


def to_code_quality(report: FindingsReport) -> list[dict[str, Any]]:
    seen: Counter[str] = Counter()
    issues = []
    for finding in report.findings:
        seen[finding.fingerprint] += 1
        repeat = seen[finding.fingerprint] - 1
        fingerprint = finding.fingerprint if not repeat else hashlib.sha256(
            f"{finding.fingerprint}\0{repeat}".encode()).hexdigest()
        end_line = finding.end_line if finding.end_line and finding.end_line >= finding.line else finding.line
        issues.append({
            "check_name": finding.code,
            "description": f"{finding.code} {finding.message}",
            "severity": _SEVERITY.get(finding.severity, "major"),
            "fingerprint": fingerprint,
            "location": {"path": report.path_prefix + finding.path,
                         "lines": {"begin": max(finding.line, 1), "end": max(end_line, 1)}},
        })
    return issues
