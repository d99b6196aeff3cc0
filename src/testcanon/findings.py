"""The one result type every analysis returns, and the rule metadata renderers need.

Every command that reports problems (scan, check, collect) produces `Finding`s; every output
format (text, JSON, SARIF, GitHub) is a renderer over them. Keep the JSON form stable: it is
documented in docs/formats.md and consumed by CI systems.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class RuleInfo:
    """What a code means: shown in SARIF rule metadata, `canon rule CODE` and the docs."""

    code: str
    name: str
    summary: str
    family: str = ""
    help_uri: str = ""


@dataclass(frozen=True)
class Finding:
    """One problem at one place. `path` is POSIX-style and relative to the project root."""

    code: str
    message: str
    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    severity: Severity = "error"
    snippet: str = ""
    frame: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Identity that survives line moves: rule, file and the normalised offending text."""
        text = _WHITESPACE.sub(" ", self.snippet).strip() or self.message
        digest = hashlib.sha256(f"{self.code}\0{self.path}\0{text}".encode()).hexdigest()
        return digest[:20]

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity,
            "fingerprint": self.fingerprint,
            "data": dict(self.data),
        }
