"""Helpers of the state and bad-input tests (tests/state, tests/fuzz)."""

from __future__ import annotations


def one_line_error(stderr: str) -> bool:
    """A CanonError as the CLI prints it: one `canon: error:` line and no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return "Traceback" not in stderr and len(lines) == 1 and lines[0].startswith("canon: error:")
