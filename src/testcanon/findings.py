"""The one result type every analysis returns, and the rule metadata renderers need.

Every command that reports problems (scan, check, collect) produces `Finding`s; every output
format (text, JSON, SARIF, GitHub) is a renderer over them. Keep the JSON form stable: it is
documented in docs/formats.md and consumed by CI systems.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

Severity = Literal["error", "warning", "note"]

_WHITESPACE = re.compile(r"\s+")


class FrozenData(dict[str, Any]):
    """A finding's `data`: a dict to every reader (JSON, `dict(...)`, pickling), but read-only,
    so that a `Finding` is frozen in fact and not only in name. Build a new finding instead."""

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("Finding.data is read-only: build the finding with its data")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[FrozenData], tuple[dict[str, Any]]]:
        return FrozenData, (dict(self),)

    def __copy__(self) -> FrozenData:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenData:
        return FrozenData(copy.deepcopy(dict(self), memo))


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
    data: Mapping[str, Any] = field(default_factory=FrozenData)

    def __post_init__(self) -> None:
        if type(self.data) is not FrozenData:
            object.__setattr__(self, "data", FrozenData(self.data))

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
