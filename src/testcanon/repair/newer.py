"""The newer-Python question, decided here and nowhere else.

A file (or one definition of it) that compiles only on Python 3.12+ (PEP 701 f-strings) is
not damage: history must not revert it, and the local method must not "repair" it. It is
reported as version-specific, or rewritten for the running interpreter when the user asks
(`--rewrite-version-specific`, the option `rewrite_version_specific`)."""

from __future__ import annotations

from testcanon.repair.pep701 import rewrite_fstrings
from testcanon.syntax import check_source
from testcanon.syntax.compile_check import Problem
from testcanon.syntax.version import FSTRING_START, is_version_specific

HINT = "use --rewrite-version-specific to make it compatible"
FILE_DETAIL = ("valid on Python 3.12+ (PEP 701 f-string); use --rewrite-version-specific to make it "
               "compatible with the target")
LOCAL_REASON = f"version-specific: valid on Python 3.12+ (PEP 701 f-string); {HINT}"


def newer_file(problem: Problem | None, text: str) -> bool:
    """The whole text fails here with `problem` and is valid on Python 3.12 (LibCST's grammar)."""
    return is_version_specific(problem, text)


def newer_definition(unit_text: str) -> str | None:
    """One definition (repaired alone) that is valid on Python 3.12+ only: its rewrite for this
    interpreter, else None (LibCST reads only a definition holding an f-string)."""
    if not FSTRING_START.search(unit_text):
        return None
    rewritten = rewrite_fstrings(unit_text)
    if rewritten is None or not rewritten[1]:
        return None
    if check_source(rewritten[0].encode("utf-8", "replace"), parse_only=True) is not None:
        return None
    return rewritten[0]


def definition_reason(name: str) -> str:
    return f"version-specific: `{name}` is valid on Python 3.12+ only (PEP 701 f-string); {HINT}"
