"""Rules: the SSOT compliance checks of `canon check`.

The engine (and with it every rule) is imported on first use. What rules share with other
commands (facts, symbols, import graph, commands, what a test file is) lives in
`testcanon.analysis`.
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
