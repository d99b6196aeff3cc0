"""What a damage pattern is: the errors it answers, its rank, its edits, its own examples.

A pattern looks at the interpreter's first error (kind, message, line, column) and the lines
around it and proposes `Edit`s; none is trusted: the search (`repair/local.py`) keeps an edit
only if it moves the first error forward (or removes it), and the result must pass `verify`.
Patterns are registered with `@pattern(...)` in their family's module; `rank` orders them,
and the order is the search's tie-break between edits of equal cost, so it is explicit here.
"""

from __future__ import annotations

import functools
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from testcanon.repair.patterns.text import indent_of
from testcanon.syntax.compile_check import Problem


@dataclass(frozen=True)
class Edit:
    """Replace lines [start, end) (0-based) with `new`; `why` goes into the report."""

    start: int
    end: int
    new: tuple[str, ...]
    why: str
    changed: int | None = None  # for an edit over many lines: how many it really changes

    @property
    def cost(self) -> int:
        if self.changed is not None:
            return max(self.changed, 1)
        return max(self.end - self.start, len(self.new)) or 1

    def apply(self, lines: list[str]) -> list[str]:
        return [*lines[: self.start], *self.new, *lines[self.end:]]


@dataclass(frozen=True)
class Site:
    """Where the first error is: the file's lines, the error, the line it names (0-based)."""

    lines: list[str]
    problem: Problem

    @functools.cached_property
    def index(self) -> int:
        index = max(self.problem.line - 1, 0)
        return len(self.lines) - 1 if index >= len(self.lines) else index

    @property
    def line(self) -> str:
        return self.lines[self.index] if self.lines else ""

    @property
    def message(self) -> str:
        return self.problem.message

    @functools.cached_property
    def unit(self) -> str:
        """The file's indentation unit (4 spaces unless it clearly uses something else)."""
        return _unit(tuple(self.lines))


@functools.lru_cache(maxsize=64)
def _unit(lines: tuple[str, ...]) -> str:
    widths = sorted({len(indent_of(line)) for line in lines
                     if line.strip() and indent_of(line) and "\t" not in indent_of(line)})
    return " " * (widths[0] if widths and widths[0] in (2, 3, 4, 8) else 4)


@dataclass(frozen=True)
class Answers:
    """One shape of compile error a pattern answers, matched on the error's message or kind."""

    how: str  # "prefix", "exact", "contains", "regex" (matched at the message's start) or "kind"
    text: str
    shown: str = ""  # how the docs show a regex

    def matches(self, problem: Problem) -> bool:
        if self.how == "prefix":
            return problem.message.startswith(self.text)
        if self.how == "exact":
            return problem.message == self.text
        if self.how == "contains":
            return self.text in problem.message
        if self.how == "regex":
            return re.match(self.text, problem.message) is not None
        return problem.kind == self.text

    def describe(self) -> str:
        shown = {"prefix": f"`{self.text}...`", "exact": f"`{self.text}`", "contains": f"`...{self.text}...`",
                 "regex": f"`{self.shown}`", "kind": f"kind `{self.text}`"}
        return shown[self.how]


def starts(text: str) -> Answers:
    return Answers("prefix", text)


def exactly(text: str) -> Answers:
    return Answers("exact", text)


def containing(text: str) -> Answers:
    return Answers("contains", text)


def matching(regex: re.Pattern[str], shown: str) -> Answers:
    return Answers("regex", regex.pattern, shown)


def of_kind(kind: str) -> Answers:
    return Answers("kind", kind)


Propose = Callable[[Site], Iterator[Edit]]


@dataclass(frozen=True)
class Pattern:
    """A registered damage pattern. `answers` empty: it looks at every error (its own signature
    in the text decides); `broken`/`repaired`: its example, one of its edits turning one into
    the other."""

    code: str
    name: str
    family: str
    rank: int
    answers: tuple[Answers, ...]
    broken: str
    repaired: str
    propose: Propose
    also: tuple[tuple[str, str], ...] = ()  # more (broken, repaired) examples: other shapes it answers
    before: tuple[int, int] | None = None  # damage only on a Python older than this (valid from it on)
    first_step: bool = False  # its edit never mends the damage alone: REPAIRED's first error is further down

    @property
    def examples(self) -> tuple[tuple[str, str], ...]:
        return ((self.broken, self.repaired), *self.also)

    @property
    def summary(self) -> str:
        return " ".join((self.propose.__doc__ or self.name).split("\n\n")[0].split())

    def applies(self, problem: Problem) -> bool:
        return not self.answers or any(answer.matches(problem) for answer in self.answers)


REGISTRY: list[Pattern] = []


def pattern(code: str, name: str, *, rank: int, answers: tuple[Answers, ...] = (), broken: str,
            repaired: str, also: tuple[tuple[str, str], ...] = (),
            before: tuple[int, int] | None = None, first_step: bool = False) -> Callable[[Propose], Propose]:
    """Register the decorated function as a pattern of its module's family (examples dedented)."""

    def register(propose: Propose) -> Propose:
        module = sys.modules.get(propose.__module__)  # its FAMILY, else the module's name
        family = getattr(module, "FAMILY", propose.__module__.rsplit(".", 1)[-1].replace("_", " "))
        for known in REGISTRY:
            if (known.code, known.rank) != (code, rank) and (known.code == code or known.rank == rank):
                raise ValueError(f"pattern {code} (rank {rank}) clashes with {known.code} "
                                 f"(rank {known.rank})")
        REGISTRY[:] = [known for known in REGISTRY if known.code != code]
        REGISTRY.append(Pattern(code, name, family, rank, answers, textwrap.dedent(broken),
                                textwrap.dedent(repaired), propose,
                                tuple((textwrap.dedent(b), textwrap.dedent(r)) for b, r in also), before,
                                first_step))
        REGISTRY.sort(key=lambda known: known.rank)
        return propose

    return register
