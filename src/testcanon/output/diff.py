"""Unified diffs as git prints them, for every `--dry-run` (fix, migrate, init)."""

from __future__ import annotations

import difflib

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified(before: bytes | str, after: bytes | str, path: str, *, old_path: str | None = None) -> str:
    """`--- a/PATH` / `+++ b/PATH` hunks; a last line without a newline is marked the way git
    marks it, so whatever is printed next starts on a line of its own."""
    old = (before.decode("utf-8", "replace") if isinstance(before, bytes)
           else before).splitlines(keepends=True)
    new = (after.decode("utf-8", "replace") if isinstance(after, bytes) else after).splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, old_path or f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n" + _NO_NEWLINE for line in lines)
