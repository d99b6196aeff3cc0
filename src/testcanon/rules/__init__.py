"""Rules: the SSOT compliance checks of `canon check`.

The engine (and with it every rule) is imported on first use: the runner only needs
`rules.context` to tell test files apart, and pays for nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testcanon.rules.engine import CheckResult, check_project, rule_infos

__all__ = ["CheckResult", "check_project", "rule_infos"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from testcanon.rules import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'testcanon.rules' has no attribute {name!r}")
