"""Files that compile on a newer Python than the target: not damage, so not to be repaired.

Python 3.12's PEP 701 f-strings (same-kind quotes, backslashes or line breaks inside a
replacement field) are errors for 3.11. LibCST's 3.12 grammar is the judge, asked only for
an error that involves an f-string (damage is not a newer Python).
"""

from __future__ import annotations

import re

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
