"""Inline suppressions (`# canon: ignore[CODE] reason`) and CANON901, an unused one."""

from __future__ import annotations

from collections.abc import Mapping

from testcanon.analysis.facts import Suppression
from testcanon.findings import Finding
from testcanon.rules.model import Example, Rule


class UnusedSuppression(Rule):
    code = "CANON901"
    name = "unused-suppression"
    family = "meta"
    summary = "A `# canon: ignore[CODE]` comment suppresses nothing"
    why = """
A suppression that no longer matches a finding hides nothing today but will silently hide
the next real finding on that line. Remove it.
"""
    example = 'x = 1  # canon: ignore[CANON301] legacy'
    use_instead = "x = 1"
    fix = "Delete the comment."
    invalid = (
        Example({"tests/test_s.py": "X = 1  # canon: ignore[CANON301] old\n"}, [("tests/test_s.py", 1)]),
    )
    valid = (
        Example({"tests/test_s.py": "import os\nX = os.getenv('A')  # canon: ignore[CANON301] needed\n"}),
    )


def apply(findings: list[Finding], suppressions: Mapping[str, Mapping[int, Suppression]]) -> list[Finding]:
    """Drop suppressed findings; add a CANON901 finding for each suppression that matched none."""
    used: set[tuple[str, int, str]] = set()
    kept = []
    for finding in findings:
        suppression = suppressions.get(finding.path, {}).get(finding.line)
        if suppression is not None and finding.code in suppression.codes:
            used.add((finding.path, finding.line, finding.code))
        else:
            kept.append(finding)
    for path, lines in suppressions.items():
        for line, suppression in lines.items():
            reason = suppression.reason
            for code in suppression.codes:
                if (path, line, code) not in used:
                    kept.append(Finding(code=UnusedSuppression.code, path=path, line=line,
                                        snippet=f"ignore[{code}] {reason}", severity="warning",
                                        message=f"suppression of {code} matches no finding"))
    return kept
