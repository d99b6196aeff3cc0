"""Static analysis of a repository, shared by every command: the public layer below rules, runner,
migrate and repair.

- facts: one parse per file (`extract`) gives a typed, frozen `FileFacts`; `facts_for` gets
  the facts of many files through the per-repository cache (`FactsCache`).
- symbols: `SymbolTable` resolves a dotted name as a module sees it to the class behind it.
- import graph: `reached` says which files a change can reach through imports.
- commands: `find_sites` finds pytest runs in scripts, Makefiles, tox, CI YAML, Dockerfiles.
- test files: `is_test_file` is the one definition of a test file (pytest's `python_files`,
  read from the project's configuration by `pytest_config`), `suite_roots` where tests live.
- test inventory (`analysis.inventory`): which tests a file holds, even when it does not parse
  (`names_in_broken`, `names_in_tree`): what repair, migrate and the lost-test ledger must keep.

Nothing here imports or executes scanned code. Names are imported on first use, so that a
command needing only `is_test_file` pays for nothing else.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testcanon.analysis.cache import FactsCache, facts_for
    from testcanon.analysis.commands import CommandSite, find_sites, metric_kind, runs_pytest, source_kind
    from testcanon.analysis.extractor import PATCH_DICT, extract, is_main_guard
    from testcanon.analysis.facts import (
        ClassFacts,
        Definition,
        FileFacts,
        Occurrence,
        Suppression,
        module_name,
    )
    from testcanon.analysis.import_graph import reached
    from testcanon.analysis.pytest_config import PytestConfig, pytest_config
    from testcanon.analysis.symbols import UNITTEST_BASES, ClassRef, SymbolTable
    from testcanon.analysis.testfiles import is_test_file, suite_roots

_HOMES = {
    "FactsCache": "cache", "facts_for": "cache",
    "CommandSite": "commands", "find_sites": "commands", "metric_kind": "commands", "runs_pytest": "commands",
    "source_kind": "commands",
    "PATCH_DICT": "extractor", "extract": "extractor", "is_main_guard": "extractor",
    "ClassFacts": "facts", "Definition": "facts", "FileFacts": "facts", "Occurrence": "facts",
    "Suppression": "facts", "module_name": "facts",
    "reached": "import_graph",
    "PytestConfig": "pytest_config", "pytest_config": "pytest_config",
    "UNITTEST_BASES": "symbols", "ClassRef": "symbols", "SymbolTable": "symbols",
    "is_test_file": "testfiles", "suite_roots": "testfiles",
}
__all__ = ["ClassFacts", "ClassRef", "Definition", "FactsCache", "FileFacts", "Occurrence",
           "PATCH_DICT", "PytestConfig", "CommandSite", "Suppression", "SymbolTable", "UNITTEST_BASES",
           "extract", "facts_for", "find_sites", "is_main_guard", "is_test_file", "metric_kind",
           "module_name", "pytest_config", "reached", "runs_pytest", "source_kind", "suite_roots"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'testcanon.analysis' has no attribute {name!r}")
    value = getattr(import_module(f"testcanon.analysis.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
