"""Counts of a scan: by error kind, by top-level folder and by priority group."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from testcanon.syntax.scan import ScanReport

OTHER_GROUP = "(other)"


@dataclass(frozen=True)
class ScanSummary:
    files: int
    broken: int
    cached: int
    elapsed: float
    by_kind: dict[str, int]
    by_folder: dict[str, int]
    by_priority: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "broken": self.broken,
            "cached": self.cached,
            "elapsed_s": round(self.elapsed, 3),
            "by_kind": self.by_kind,
            "by_folder": self.by_folder,
            "by_priority": self.by_priority,
        }


def summarize(report: ScanReport, priority_globs: list[str]) -> ScanSummary:
    labels = [*priority_globs, OTHER_GROUP]
    by_kind = Counter(str(f.data.get("kind", f.code)) for f in report.findings)
    by_folder = Counter(_top_folder(f.path) for f in report.findings)
    by_priority = Counter(labels[min(report.priority_of.get(f.path, len(priority_globs)),
                                     len(priority_globs))] for f in report.findings)
    return ScanSummary(
        files=report.files,
        broken=len(report.findings),
        cached=report.cached,
        elapsed=report.elapsed,
        by_kind=dict(by_kind.most_common()),
        by_folder=dict(by_folder.most_common()),
        by_priority={label: by_priority[label] for label in labels if by_priority[label]},
    )


def _top_folder(relpath: str) -> str:
    head, sep, _ = relpath.partition("/")
    return head + "/" if sep else "."
