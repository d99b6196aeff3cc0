"""Masking secret values wherever an environment is shown (repr, logs, failure messages)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

DEFAULT_SECRET_PATTERNS: tuple[str, ...] = (
    "*_SECRET", "*_TOKEN", "*PASSWORD*", "*_KEY", "*SECRET*", "*CREDENTIAL*", "*_DSN",
)
MASK = "***"


class SecretMasker:
    """Decides which variable names hold secrets (case-insensitive glob patterns)."""

    def __init__(self, patterns: Iterable[str] = DEFAULT_SECRET_PATTERNS) -> None:
        self.patterns = tuple(p.upper() for p in patterns)

    def is_secret(self, name: str) -> bool:
        upper = name.upper()
        return any(fnmatch.fnmatchcase(upper, pattern) for pattern in self.patterns)

    def show(self, name: str, value: str | None) -> str:
        """`value` as it may appear in output: masked when `name` is a secret."""
        if value is None:
            return "<unset>"
        return MASK if self.is_secret(name) else repr(value)
