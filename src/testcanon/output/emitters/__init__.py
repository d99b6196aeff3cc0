"""Formats that write a list of findings: SARIF, GitHub annotations, JSON Lines, GitLab Code
Quality. Each is one module here with a docstring (what the format is, for whom) and a
`write(handle, report)`; `canon check` and `canon scan` accept every module of this package as a `--format`
value, found by its file name (nothing is imported until the format is chosen). Adding a
format is one file here plus its test."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from testcanon.findings import Finding, RuleInfo
    from testcanon.rules.baseline import Comparison


@dataclass(frozen=True)
class FindingsReport:
    """What every emitter renders: the command's findings (baselined ones too), the rules that
    explain them, the baseline's comparison (None: no baseline) and the project's folder in its
    repository (`svc/`, or ""), which every written path starts with."""

    command: str
    findings: Sequence[Finding]
    rules: Sequence[RuleInfo]
    comparison: Comparison | None
    path_prefix: str = ""

    @property
    def failing(self) -> Sequence[Finding]:
        """The findings the baseline does not hold: what fails the command, what to annotate."""
        return self.comparison.new if self.comparison is not None else self.findings

    def as_json(self) -> list[dict[str, Any]]:
        """Every finding as the JSON documents list it: paths from the repository root, each with
        its baseline state."""
        states = self.comparison.states if self.comparison is not None else {}  # none: every state None
        return [{**f.to_json(), "path": self.path_prefix + f.path,
                 "baseline_state": states.get(f.fingerprint)} for f in self.findings]


class Emitter(Protocol):
    def write(self, handle: IO[str], report: FindingsReport) -> None: ...


@cache
def emitter_names() -> tuple[str, ...]:
    """Every emitter's format name (its module's name), sorted; read from the package's folder."""
    names = (info.name for info in pkgutil.iter_modules(__path__))
    return tuple(sorted(name for name in names if not name.startswith("_")))


def emitter(name: str) -> Emitter:
    if name not in emitter_names():
        raise ValueError(f"no emitter named {name!r}")
    return cast(Emitter, importlib.import_module(f"{__name__}.{name}"))
