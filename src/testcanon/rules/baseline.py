"""The ratchet: today's findings recorded, so `canon check` fails only on new ones.

Fingerprints key on rule, file and normalised offending text (never line numbers), so a
finding keeps its identity when code moves. The baseline is a multiset: two identical
findings in one file need two entries. It can only shrink unless growth is allowed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from testcanon.config import Project
from testcanon.errors import CanonError
from testcanon.findings import Finding
from testcanon.state import atomic_write_bytes

FORMAT = 1
_ENTRY_KEYS = ("fingerprint", "code", "path", "snippet")


@dataclass(frozen=True)
class Comparison:
    new: list[Finding]
    unchanged: list[Finding]
    fixed: list[dict[str, str]]  # baseline entries no longer found

    @property
    def states(self) -> dict[str, str]:
        states = {f.fingerprint: "unchanged" for f in self.unchanged}
        states.update({f.fingerprint: "new" for f in self.new})
        return states


def baseline_path(project: Project) -> Path:
    return project.root / project.config.check.baseline


def load(project: Project) -> list[dict[str, str]] | None:
    path = baseline_path(project)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"a JSON {type(data).__name__}, not an object")
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        entries = list(data["findings"])
        if not all(isinstance(e, dict) and all(isinstance(e.get(k), str) for k in _ENTRY_KEYS)
                   for e in entries):
            raise ValueError("an entry is not {fingerprint, code, path, snippet}")
        return entries
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise CanonError(f"{path}: not a testcanon baseline ({exc}); rewrite it with "
                         "`canon check --write-baseline`") from None


def save(project: Project, findings: list[Finding] | list[dict[str, str]]) -> int:
    entries = [_entry(f) if isinstance(f, Finding) else f for f in findings]
    entries.sort(key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    document = {"format": FORMAT, "tool": "testcanon", "count": len(entries), "findings": entries}
    atomic_write_bytes(baseline_path(project), (json.dumps(document, indent=1) + "\n").encode())
    return len(entries)


def write_baseline(project: Project) -> int:
    """Record every current finding (what `canon init` and `--write-baseline` do)."""
    from testcanon.rules.engine import check_project

    return save(project, check_project(project).findings)


def compare(findings: list[Finding], baseline: list[dict[str, str]]) -> Comparison:
    remaining = Counter(entry["fingerprint"] for entry in baseline)
    new, unchanged = [], []
    for finding in findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            unchanged.append(finding)
        else:
            new.append(finding)
    fixed = []
    for entry in baseline:
        if remaining[entry["fingerprint"]] > 0:
            remaining[entry["fingerprint"]] -= 1
            fixed.append(entry)
    return Comparison(new, unchanged, fixed)


def _entry(finding: Finding) -> dict[str, str]:
    return {"fingerprint": finding.fingerprint, "code": finding.code, "path": finding.path,
            "snippet": finding.snippet[:120] or finding.message[:120]}


def absent_findings(fixed: list[dict[str, str]]) -> list[Finding]:
    """Fixed baseline entries as findings, for SARIF's `baselineState: absent`."""
    return [Finding(code=e["code"], path=e["path"], message="fixed since the baseline",
                    snippet=e["snippet"], severity="note") for e in fixed]
