"""Metric definitions, read from docs/metrics.md so the number and its meaning never drift."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from testcanon.errors import UsageError


def metrics_doc() -> str:
    """docs/metrics.md: shipped inside the wheel, or read from the source checkout."""
    packaged = resources.files("testcanon").joinpath("_docs/metrics.md")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"
    return checkout.read_text(encoding="utf-8")


def explain(metric: str) -> str:
    """The `## metric` section of docs/metrics.md (its text includes the version line)."""
    text = metrics_doc()
    sections = dict(_sections(text))
    key = metric.strip()
    if key.startswith("coverage.") and key not in sections:
        key = "coverage.AREA"
    if key not in sections:
        import difflib

        close = difflib.get_close_matches(key, list(sections), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UsageError(f"no metric named '{metric}'{hint}; known: {', '.join(sections)}")
    return f"## {key}\n{sections[key]}".rstrip() + "\n"


def _sections(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"^## +(\S+)[^\n]*\n", text, flags=re.MULTILINE)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
