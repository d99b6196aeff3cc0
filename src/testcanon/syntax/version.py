"""Files that compile on a newer Python than the target: not damage, so not to be repaired.

Python 3.12's PEP 701 f-strings (same-kind quotes, backslashes or line breaks inside a
replacement field) are errors for 3.11. LibCST's 3.12 grammar is the judge, asked only for
an error that involves an f-string (damage is not a newer Python).

Which Python is the project's is its own answer, not the one canon runs on: `target_version`
in `[tool.testcanon]`, else the lower bound of `[project] requires-python`. For a project
that targets 3.12+, such a file is valid, and `canon scan`/`check` do not report it.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from testcanon.syntax.compile_check import Problem

FSTRING_START = re.compile(r"""(?<![\w])[rRbB]?[fF][rR]?['"]""")
NEWER_PYTHON = "valid only on Python 3.12+ (PEP 701 f-string), not on this interpreter"


def is_version_specific(problem: Problem | None, text: str) -> bool:
    """`problem` stops `text` compiling here, and Python 3.12's grammar accepts `text`."""
    if problem is None:
        return False
    lines = text.splitlines()
    near = "\n".join(lines[max(problem.line - 3, 0):problem.line])
    if not (problem.message.startswith("f-string") or FSTRING_START.search(near)):
        return False
    try:
        import libcst  # only paid for by files with such an error
    except ImportError:  # testcanon[migrate] not installed: report the error as it is
        return False

    try:
        libcst.parse_module(text, config=libcst.PartialParserConfig(python_version="3.12"))
    except (libcst.ParserSyntaxError, ValueError, RecursionError):
        return False
    return True


_VERSION = re.compile(r"^(?:py|python)?\s*(\d)\.?(\d+)(?:\.\d+)?$")  # one-digit major: py312 is 3.12
_LOWER_BOUND = re.compile(r"(?:>=|~=|==|>)\s*(\d+)\.(\d+)")


def parse_version(text: str) -> tuple[int, int] | None:
    """`3.12`, `py312`, `python3.12` -> (3, 12)."""
    match = _VERSION.match(text.strip().lower())
    return (int(match.group(1)), int(match.group(2))) if match else None


def project_target(root: Path, target_version: str = "") -> tuple[int, int] | None:
    """The Python the project's code is written for: `target_version`, else the lowest version
    `requires-python` admits; None when neither says."""
    if target_version:
        return parse_version(target_version)
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    requires = data.get("project", {}).get("requires-python")
    if not isinstance(requires, str):
        return None
    bounds = [(int(a), int(b)) for a, b in _LOWER_BOUND.findall(requires)]
    return min(bounds) if bounds else None


def valid_for_target(message: str, target: tuple[int, int] | None) -> bool:
    """A finding about newer-Python syntax that the project's target version accepts."""
    return message.startswith(NEWER_PYTHON) and target is not None and target >= (3, 12) \
        and sys.version_info < (3, 12)
