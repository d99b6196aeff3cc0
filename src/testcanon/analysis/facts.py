"""The facts of one Python file, typed: what every rule, the import graph and the symbol table read.

One parse per file (`analysis.extractor`) yields a `FileFacts`. The facts of a file depend only
on its bytes and its path, so they are cached per file (`analysis.cache`); the cache stores
them as plain tuples (`to_data` / `from_data`) because it uses `marshal`, which, unlike
pickle, cannot run code when loaded: a cache file in a scanned repository is data, never a
program.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClassFacts", "Definition", "FileFacts", "Occurrence", "Suppression", "module_name"]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A place in the file where something the rules look for occurs (1-based lines and columns).

    `detail` says what it is: the name of an environment access (`os.environ`, `os.getenv`), how
    a runner bypass runs tests (`call`, `main-block`), the module a relative import resolves to.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ClassFacts:
    """A class statement, at any depth (`nested` when inside a class or function)."""

    name: str
    qualname: str
    line: int
    first_line: int  # the first decorator's line, else `line`
    end_line: int
    column: int
    bases: tuple[str, ...]  # as written (dotted, or unparsed source for anything else)
    tests: tuple[str, ...]  # methods named test*
    async_tests: tuple[str, ...]
    has_init: bool
    not_collected: bool  # `__test__ = False`: pytest does not collect it
    methods: tuple[str, ...]
    snippet: str
    nested: bool


@dataclass(frozen=True, slots=True)
class Definition:
    """A function or class long enough to be a duplication candidate (or a fixture), with the
    digest of what it does (see `extractor._behaviour_hash`)."""

    kind: str  # "function" or "class"
    qualname: str
    line: int
    size: int  # lines
    shape: str
    fixture: bool
    statements: int


@dataclass(frozen=True, slots=True)
class Suppression:
    """`# canon: ignore[CODE, ...] reason` on one line."""

    codes: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class FileFacts:
    """Everything the rules need from one parsed Python file."""

    module: str
    aliases: Mapping[str, str] = field(default_factory=dict)  # local name -> absolute dotted name
    classes: tuple[ClassFacts, ...] = ()
    env: tuple[Occurrence, ...] = ()
    relative_imports: tuple[Occurrence, ...] = ()  # detail: the absolute module
    mock_imports: tuple[Occurrence, ...] = ()
    mocker_uses: tuple[Occurrence, ...] = ()
    bypasses: tuple[Occurrence, ...] = ()  # detail: "call" or "main-block"
    markers: tuple[str, ...] = ()  # `pytest.mark.NAME` names, one per use
    marker_lines: tuple[tuple[str, int], ...] = ()
    definitions: tuple[Definition, ...] = ()  # only when extracted with `shapes`
    suppressions: Mapping[int, Suppression] = field(default_factory=dict)  # line -> suppression
    defined: tuple[str, ...] = ()  # module-level names: classes, functions, assigned names

    def to_data(self) -> tuple[Any, ...]:
        """Plain tuples, dicts and strings, for `marshal`."""
        occurrences = (self.env, self.relative_imports, self.mock_imports, self.mocker_uses, self.bypasses)
        return (self.module, dict(self.aliases), tuple(_row(c) for c in self.classes),
                *(tuple(_row(o) for o in sites) for sites in occurrences),
                self.markers, self.marker_lines, tuple(_row(d) for d in self.definitions),
                {line: _row(s) for line, s in self.suppressions.items()}, self.defined)

    @classmethod
    def from_data(cls, data: tuple[Any, ...]) -> FileFacts:
        """The inverse of `to_data`; raises TypeError/ValueError on anything foreign."""
        (module, aliases, classes, env, relative, mocks, mocker, bypasses, markers, marker_lines,
         definitions, suppressions, defined) = data
        occurrences = (env, relative, mocks, mocker, bypasses)
        return cls(module, aliases, tuple(ClassFacts(*row) for row in classes),
                   *(tuple(Occurrence(*row) for row in rows) for rows in occurrences),
                   tuple(markers), tuple(tuple(m) for m in marker_lines),
                   tuple(Definition(*row) for row in definitions),
                   {line: Suppression(*row) for line, row in suppressions.items()}, tuple(defined))


def _row(value: Any) -> tuple[Any, ...]:
    return tuple(getattr(value, name) for name in type(value).__slots__)


def module_name(relpath: str) -> str:
    """The dotted module a repository-relative path is (`pkg/__init__.py` -> `pkg`)."""
    parts = relpath[:-3].split("/") if relpath.endswith(".py") else relpath.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)
