"""The repository-wide symbol table: which module defines or re-exports which name.

Built from every file's facts; resolves a dotted name as a module sees it (through import
aliases, `import x; x.Base`, and re-exports in `__init__` files) to the class that defines it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from testcanon.analysis.facts import ClassFacts, FileFacts

__all__ = ["BUILTIN_OBJECT", "UNITTEST_BASES", "ClassRef", "SymbolTable"]

UNITTEST_BASES = {
    "unittest.TestCase", "unittest.case.TestCase", "unittest.IsolatedAsyncioTestCase",
    "unittest.async_case.IsolatedAsyncioTestCase",
}
BUILTIN_OBJECT = {"object", "builtins.object"}


@dataclass(frozen=True)
class ClassRef:
    """A class defined in the repository, as one of its modules names it."""

    relpath: str
    module: str
    cls: ClassFacts

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.cls.qualname}"


class SymbolTable:
    """Modules by importable name and classes by qualified name, over the whole repository."""

    def __init__(self, facts_by_path: Mapping[str, FileFacts]) -> None:
        self.modules: dict[str, tuple[str, FileFacts]] = {}
        self.classes: dict[str, ClassRef] = {}
        for relpath, facts in facts_by_path.items():
            for name in _module_names(facts.module):
                self.modules.setdefault(name, (relpath, facts))
        for name, (relpath, facts) in self.modules.items():
            for cls in facts.classes:
                self.classes[f"{name}.{cls.qualname}"] = ClassRef(relpath, name, cls)

    def qualify_in(self, facts: FileFacts, dotted: str) -> str:
        """`dotted` as written in the module of `facts`, made absolute."""
        head, _, rest = dotted.partition(".")
        local = {c.qualname for c in facts.classes}
        if dotted in local:
            return f"{facts.module}.{dotted}"
        if head in facts.aliases:
            return facts.aliases[head] + (f".{rest}" if rest else "")
        return dotted

    def resolve(self, qualified: str, depth: int = 0) -> ClassRef | str | None:
        """The repository class behind `qualified`, else the external name, else None.

        Returns a ClassRef for a class defined in the repository, the canonical external name
        (e.g. 'unittest.TestCase') for names outside it, and None when a repository module is
        named but does not define the name (unresolvable).
        """
        if depth > 25:
            return None
        if qualified in self.classes:
            return self.classes[qualified]
        module, _, name = qualified.rpartition(".")
        # Find the longest prefix that is a repository module.
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in self.modules:
                _, facts = self.modules[candidate]
                head, *tail = parts[cut:]
                target = facts.aliases.get(head)
                if target is not None:
                    return self.resolve(".".join([target, *tail]), depth + 1)
                return None
        if qualified in BUILTIN_OBJECT:
            return "builtins.object"
        del module, name
        return qualified


def _module_names(module: str) -> list[str]:
    """A file's importable names: its dotted path, and without a leading src/lib folder."""
    names = [module]
    head, _, rest = module.partition(".")
    if head in ("src", "lib") and rest:
        names.append(rest)
    return names
