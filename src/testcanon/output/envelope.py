"""The envelope of every JSON document a command prints (scan, check, fix, migrate,
collect): which schema, which tool, which command, then the command's own fields.
`schema_version` is the one name of the version of an output document (stored files, the
baseline and the journal, version theirs as `format`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testcanon.rules.baseline import Comparison

SCHEMA_VERSION = 1


def envelope(command: str, **fields: Any) -> dict[str, Any]:
    from testcanon.__about__ import __version__

    return {"schema_version": SCHEMA_VERSION, "tool": {"name": "testcanon", "version": __version__},
            "command": command, **fields}


def baseline_counts(comparison: Comparison | None) -> dict[str, int] | None:
    """The document's `baseline`: how many findings are new, unchanged, fixed (None: no baseline)."""
    if comparison is None:
        return None
    return {"new": len(comparison.new), "unchanged": len(comparison.unchanged),
            "fixed": len(comparison.fixed)}
