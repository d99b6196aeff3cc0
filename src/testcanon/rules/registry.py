"""Every rule family and every rule class, found, not listed: the single lists the engine,
docs, SARIF metadata and tests read.

A rule is a `Rule` subclass (its docs and examples beside its logic) in a module of this
package; a family is such a module with `check(ctx: RuleContext) -> Iterable[Finding]`, which
reports the codes of the rules it defines (a rule in a module without `check` is reported by the
engine itself, as CANON901 is). Adding a rule is one class in one module: nothing to register.
Modules are chosen by their text (a `class X(Rule):` line) before any is imported, so the
package's infrastructure (engine, renderers, docs) is never imported here.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Protocol

from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.model import Rule

_RULE_CLASS = re.compile(r"^class \w+\(Rule\):", re.MULTILINE)


class RuleFamily(Protocol):
    """A module of rules: one pass over the repository that reports their codes."""

    __name__: str

    def check(self, ctx: RuleContext) -> Iterable[Finding]: ...


def rule_modules(package: Path = Path(__file__).resolve().parent,
                 name: str = "testcanon.rules") -> list[ModuleType]:
    """The modules of the package `name` (at `package`) that define a rule, imported."""
    modules = []
    for path in sorted(package.rglob("*.py")):
        if _RULE_CLASS.search(path.read_text(encoding="utf-8")):
            dotted = ".".join((name, *path.relative_to(package).with_suffix("").parts))
            modules.append(importlib.import_module(dotted))
    return modules


def _rules_of(module: ModuleType) -> list[type[Rule]]:
    return [value for value in vars(module).values() if isinstance(value, type) and issubclass(value, Rule)
            and value.__module__ == module.__name__ and isinstance(getattr(value, "code", None), str)]


_MODULES = rule_modules()
# In code order; findings are sorted in full afterwards, so the families' order decides nothing.
ALL_RULES: tuple[type[Rule], ...] = tuple(sorted((rule for m in _MODULES for rule in _rules_of(m)),
                                                key=lambda rule: rule.code))
FAMILIES: tuple[RuleFamily, ...] = tuple(m for m in _MODULES if callable(getattr(m, "check", None))
                                         and _rules_of(m))  # type: ignore[misc]
BY_CODE = {rule.code: rule for rule in ALL_RULES}


def codes_of(family: RuleFamily) -> list[str]:
    """The codes a family reports: those of the rule classes defined in its module."""
    return [rule.code for rule in ALL_RULES if rule.__module__ == family.__name__]
