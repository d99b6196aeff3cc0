"""Split test files into N shards of near-equal expected time, deterministically.

Longest-processing-time first: files sorted by expected duration, each given to the currently
lightest shard (ties to the lowest index). A file's expected duration is the durations file's;
a file it does not know weighs its collected tests at the known files' mean time per test (1.0
when nothing is known): a first run, before any durations are committed, splits by tests, not by
files (one file of 160 tests is not one file of 2). Without test counts, unknown files get the
median of the known ones. Same inputs, same plan, and
every file lands in exactly one shard, so a CI matrix of N jobs runs every test once.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
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


def plan(files: list[str], durations: Mapping[str, float], shards: int,
         tests_per_file: Mapping[str, int] | None = None) -> list[Shard]:
    if shards < 1:
        raise UsageError("the number of shards must be at least 1")
    known = [f for f in files if f in durations]
    if tests_per_file is not None:
        counted = sum(max(tests_per_file.get(f, 1), 1) for f in known)
        per_test = sum(durations[f] for f in known) / counted if known and counted else 1.0
        guess = {f: per_test * max(tests_per_file.get(f, 1), 1) for f in files}
    else:
        median = statistics.median(durations[f] for f in known) if known else 1.0
        guess = dict.fromkeys(files, median)
    expected = {f: durations.get(f, guess[f]) + FILE_OVERHEAD_S for f in files}
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
