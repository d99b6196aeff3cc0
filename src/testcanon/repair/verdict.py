"""What `canon fix` concluded for one file: a closed set of outcomes, and why a file was left.

`StrEnum`s, so a verdict compares equal to, prints as and serialises to the same stable
strings the JSON output has always carried (`"fixed-by-history"`, ...)."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    FIXED_BY_HISTORY = "fixed-by-history"
    FIXED_LOCALLY = "fixed-locally"
    VERSION_SPECIFIC = "version-specific"  # valid on a newer Python: not damage, left unless asked
    UNFIXABLE = "unfixable"
    CHANGED_DURING_RUN = "changed-during-run"  # edited while canon fix ran: never overwritten


class Reason(StrEnum):
    """Why a file has no written repair (None on a fixed file)."""

    NEWER_PYTHON = "newer-python"  # version-specific, and no rewrite asked for
    NO_VERIFIED_REPAIR = "no-verified-repair"  # no proposer's candidate passed verification
    OVER_BUDGET = "over-budget"  # the file's time or memory budget ran out
    INTERNAL_ERROR = "internal-error"  # a bug in a proposer: this file only
    NOT_PROVEN = "not-proven"  # pytest contradicted the repair (`--verify collect`)
    CHANGED_DURING_RUN = "changed-during-run"


#: The outcomes that carry a repair, in the order the summary lists every outcome.
FIXED = (Outcome.FIXED_BY_HISTORY, Outcome.FIXED_LOCALLY)
