"""SARIF 2.1.0, the format GitHub code scanning ingests.

Results carry `baselineState` when a baseline is known, so code-scanning UIs can show the
ratchet (new / unchanged / absent findings), and a stable `partialFingerprints` entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from testcanon.findings import Finding, RuleInfo

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/testcanon/testcanon"
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def to_sarif(
    findings: Iterable[Finding],
    rules: Iterable[RuleInfo],
    *,
    tool_version: str,
    baseline_states: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A SARIF log with one run; `rules` must cover every finding's code."""
    findings = list(findings)
    rule_list = sorted({rule.code: rule for rule in rules}.values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(rule_list)}
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": _LEVEL.get(finding.severity, "error"),
            "message": {"text": finding.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                    "region": _region(finding),
                }
            }],
            "partialFingerprints": {"testcanon/v1": finding.fingerprint},
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        if baseline_states is not None and finding.fingerprint in baseline_states:
            result["baselineState"] = baseline_states[finding.fingerprint]
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "testcanon",
                "version": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rule_list],
            }},
            "results": results,
        }],
    }


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}
    if finding.end_line and finding.end_line >= region["startLine"]:
        region["endLine"] = finding.end_line
        if finding.end_column and (finding.end_line > finding.line
                                   or finding.end_column > region["startColumn"]):
            region["endColumn"] = finding.end_column
    return region


def _rule(rule: RuleInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "properties": {"family": rule.family} if rule.family else {},
    }
    if rule.help_uri:
        entry["helpUri"] = rule.help_uri
    return entry
