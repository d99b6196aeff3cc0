"""The small hierarchy of errors testcanon raises on purpose.

The CLI turns each into a one-line message and an exit code; anything else is a bug.
"""

from __future__ import annotations


class CanonError(Exception):
    """Base of every error testcanon reports to the user instead of a traceback."""

    exit_code = 2


class ConfigError(CanonError):
    """`[tool.testcanon]` is missing a piece, has an unknown key or a value of the wrong type."""


class UsageError(CanonError):
    """A command was called with arguments that cannot work (missing path, bad option)."""


class JournalError(CanonError):
    """A journalled write or an undo could not be carried out safely."""


class StateError(CanonError, OSError):
    """`.testcanon/` state cannot be read or written (a file in the way, a read-only project,
    a full disk). Also an `OSError`, so a cache that tolerates I/O failures tolerates this."""
