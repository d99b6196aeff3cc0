"""SARIF 2.1.0, the format GitHub code scanning ingests.

Each rule carries its documentation (`fullDescription`, `help` as markdown, a `helpUri` into
the docs in testcanon's repository), so an alert explains itself; each run an
`automationDetails.id` (`testcanon/check/`, `testcanon/scan/`) so the two commands upload as
separate categories. Paths are relative to the repository root (`%SRCROOT%`), which differs
from the project root in a monorepo. Results carry `baselineState` when a baseline is known and
a stable `partialFingerprints` entry. Baseline entries fixed since (`absent`) are written as
`kind: pass` results without a region: the problem is gone, there is nothing to point at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from testcanon.__about__ import DOCS_URI, REPOSITORY_URI
from testcanon.findings import Finding, RuleInfo

if TYPE_CHECKING:
    from testcanon.output.emitters import FindingsReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URI
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}
_SECTION = re.compile(r"^## (.+?)\n\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def write(handle: IO[str], report: FindingsReport) -> None:
    """Every finding, each with its baseline state, and the baseline's entries fixed since."""
    from testcanon.__about__ import __version__

    comparison = report.comparison
    sarif = to_sarif(report.findings, report.rules, tool_version=__version__,
                     baseline_states=comparison.states if comparison else None,
                     absent=comparison.fixed if comparison else (),
                     automation_id=f"testcanon/{report.command}/", path_prefix=report.path_prefix)
    handle.write(json.dumps(sarif) + "\n")


def rule_help_uri(code: str) -> str:
    return f"{DOCS_URI}/rules/{code}.md"


def to_sarif(
    findings: Iterable[Finding],
    rules: Iterable[RuleInfo],
    *,
    tool_version: str,
    baseline_states: Mapping[str, str] | None = None,
    absent: Iterable[Mapping[str, str]] = (),
    automation_id: str = "testcanon/",
    path_prefix: str = "",
) -> dict[str, Any]:
    """A SARIF log with one run; `rules` must cover every finding's code. `absent` are baseline
    entries (fingerprint, code, path) no longer found; `path_prefix` the project's folder in
    its repository (`svc/`), prepended to every path."""
    findings = list(findings)
    rule_list = sorted({rule.code: rule for rule in rules}.values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(rule_list)}
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": _LEVEL.get(finding.severity, "error"),
            "message": {"text": finding.message},
            "locations": [_location(path_prefix + finding.path, _region(finding))],
            "partialFingerprints": {"testcanon/v1": finding.fingerprint},
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        if baseline_states is not None and finding.fingerprint in baseline_states:
            result["baselineState"] = baseline_states[finding.fingerprint]
        results.append(result)
    for entry in absent:
        result = {
            "ruleId": entry["code"],
            "kind": "pass",
            "level": "none",
            "message": {"text": f"{entry['code']} fixed since the baseline"},
            "locations": [_location(path_prefix + entry["path"], None)],
            "partialFingerprints": {"testcanon/v1": entry["fingerprint"]},
            "baselineState": "absent",
        }
        if entry["code"] in index:
            result["ruleIndex"] = index[entry["code"]]
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "testcanon",
                "version": tool_version,
                "semanticVersion": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rule_list],
            }},
            "automationDetails": {"id": automation_id},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def _location(uri: str, region: dict[str, int] | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}
    if finding.end_line and finding.end_line >= region["startLine"]:
        region["endLine"] = finding.end_line
        if finding.end_column and (finding.end_line > finding.line
                                   or finding.end_column > region["startColumn"]):
            region["endColumn"] = finding.end_column
    return region


def _rule(rule: RuleInfo) -> dict[str, Any]:
    markdown, full = _documentation(rule.code, rule.summary)
    return {
        "id": rule.code,
        "name": _pascal(rule.name),
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {"text": full},
        "help": {"text": markdown, "markdown": markdown},
        "helpUri": rule_help_uri(rule.code),
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": [rule.family] if rule.family else [], "family": rule.family},
    }


@cache
def _documentation(code: str, summary: str) -> tuple[str, str]:
    """(the rule's page as markdown, its "why" in plain text) — what `canon rule CODE` prints."""
    from testcanon.errors import CanonError
    from testcanon.rules.docs import rule_text

    try:
        markdown = rule_text(code)
    except CanonError:
        markdown = f"# {code}\n\n{summary}\n"
    sections = {title.strip(): body.strip() for title, body in _SECTION.findall(markdown)}
    why = sections.get("Why is this bad?") or sections.get("What it does") or summary
    paragraph = " ".join(why.split("\n\n")[0].split())
    return markdown, _sentence(paragraph.replace("`", ""))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _pascal(name: str) -> str:
    """SARIF rule names are identifiers (`DirectEnvironmentAccess`), as the GitHub rules expect."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
