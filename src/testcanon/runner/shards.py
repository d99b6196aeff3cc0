"""Split test files into N shards of near-equal expected time, deterministically.

Longest-processing-time first: files sorted by expected duration (recorded history; files
without history get the median of the known ones, or 1.0 when nothing is known), each given
to the currently lightest shard (ties to the lowest index). Same inputs, same plan, and
every file lands in exactly one shard, so a CI matrix of N jobs runs every test once.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from testcanon.errors import UsageError

# What a file costs beyond its tests' own durations (import, collection, fixtures).
FILE_OVERHEAD_S = 0.05


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as in --shard K/N
    files: tuple[str, ...]
    seconds: float


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: expected K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def plan(files: list[str], durations: dict[str, float], shards: int) -> list[Shard]:
    if shards < 1:
        raise UsageError("the number of shards must be at least 1")
    known = [durations[f] for f in files if f in durations]
    default = statistics.median(known) if known else 1.0
    expected = {f: durations.get(f, default) + FILE_OVERHEAD_S for f in files}
    loads = [0.0] * shards
    members: list[list[str]] = [[] for _ in range(shards)]
    for name in sorted(files, key=lambda f: (-expected[f], f)):
        target = min(range(shards), key=lambda i: (loads[i], i))
        members[target].append(name)
        loads[target] += expected[name]
    return [Shard(i + 1, tuple(sorted(members[i])), loads[i]) for i in range(shards)]


def imbalance(shards: list[Shard]) -> float:
    """Max shard time over mean shard time (1.0 is perfect)."""
    mean = sum(s.seconds for s in shards) / len(shards)
    return max(s.seconds for s in shards) / mean if mean else 1.0
