"""What every proposer of a repair reads, built once per file (in the manner of LibCST's
`CodemodContext`): the file, the tests it must keep, its history, the options.

A proposer yields `Candidate`s and never verifies them; the fixer (`repair/choose.py`) verifies
each one once and chooses. A proposer that finds nothing returns a `Note` saying why.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from testcanon.analysis.inventory import TestName, names_in_broken
from testcanon.repair.history import Breaking, FileHistory, history_expected
from testcanon.repair.newer import newer_file
from testcanon.repair.verdict import Outcome
from testcanon.repair.verify import decode
from testcanon.syntax import check_source


@dataclass(frozen=True)
class RepairContext:
    root: Path
    path: str  # relative to root, as `canon scan` reports it
    original: bytes  # the broken file as read, before any repair
    expected: frozenset[TestName]  # the tests every candidate must keep
    set_aside: frozenset[str]  # names history shows are no tests (nested helpers, names in strings)
    history: FileHistory | None  # None: local mode, outside git, or a file valid on a newer Python
    rewrite_version_specific: bool  # rewrite Python 3.12+ syntax for the target instead of refusing
    version_specific: bool  # the file as a whole compiles only on a newer Python (decided once, here)
    target: tuple[int, int]  # the Python the candidates must compile on: this interpreter

    @classmethod
    def build(cls, root: Path, path: str, original: bytes, *, use_history: bool,
              rewrite_version_specific: bool = False) -> RepairContext:
        """A file valid on a newer Python is not damage: history must not revert it."""
        expected = names_in_broken(decode(original))
        version_specific = newer_file(check_source(original), decode(original))
        history = FileHistory(root, path) if use_history and not version_specific else None
        set_aside: set[str] = set()
        if history is not None:
            by_history = history_expected(root, path, expected)
            set_aside = {name for _, name in expected} - {name for _, name in by_history}
            expected = by_history
        return cls(root, path, original, frozenset(expected), frozenset(set_aside), history,
                   rewrite_version_specific, version_specific, sys.version_info[:2])

    @property
    def breaking(self) -> Breaking | None:
        """The commit that broke the file, when its history has one."""
        return self.history.breaking if self.history is not None else None


@dataclass(frozen=True)
class Candidate:
    """A proposed content for the file, not yet verified."""

    source: bytes
    how: str  # what the verdict says was done
    label: str = ""  # what a refusal names it (default: `how`)
    breaking: Breaking | None = None
    edits: tuple[str, ...] = ()
    unfinished: bool = False  # may not compile yet: the local search finishes it before verification

    @property
    def name(self) -> str:
        return self.label or self.how


@dataclass(frozen=True)
class Note:
    """Why a proposer found no candidate."""

    reason: str
    version_specific: bool = False


class Pick(Enum):
    FIRST = "first"  # the first candidate that verifies
    SMALLEST = "smallest"  # of all that verify, the one that changes the file least


@dataclass(frozen=True)
class Proposer:
    name: str
    outcome: Outcome  # what the verdict says when one of its candidates is chosen
    propose: Callable[[RepairContext], Generator[Candidate, None, Note | None]]
    pick: Pick = Pick.FIRST
    # Judged against the author's last good code (`repair/judge.py`) besides compiler and tests.
    # Judged against the author's last good code; False: against the broken file's own intent.
    judged: bool = True
