"""How often the moved-quote inversion's first candidate is the line as it was before the damage.

    python bench/quotes.py REPO [--exclude GLOB ...] [--jobs J]

REPO is a git work tree at the commit to measure. For every broken test file with an earlier
compiling version, lines are paired with that version (difflib over stripped lines, equal-sized
replaced runs); a pair is a *moved quote* when the damaged line is the original with one quote
taken out and appended. For each, the rank of the original among `moved_quote_candidates`
is counted: first (what the repair tries first), later, or not proposed at all.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import Counter
from pathlib import Path

from broken_files import EXCLUDED, broken_test_files, map_over_tree

from testcanon.repair.history import find_breaking
from testcanon.repair.quotes import moved_quote_candidates


def _moved(original: str, damaged: str) -> bool:
    quote = damaged[-1:] if damaged.endswith(("'", '"')) else ""
    return bool(quote) and any(original[i] == quote and original[:i] + original[i + 1:] + quote == damaged
                               for i in range(len(original)))


def ranks(root: Path, relpath: str) -> list[int]:
    found = find_breaking(root, relpath)
    if not found:
        return []
    good = found[1].decode("utf-8", "replace").splitlines()
    current = (root / relpath).read_text("utf-8", "replace").splitlines()
    matcher = difflib.SequenceMatcher(None, [line.strip() for line in good],
                                      [line.strip() for line in current], autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or i2 - i1 != j2 - j1:
            continue
        for original, damaged in zip(good[i1:i2], current[j1:j2], strict=True):
            if _moved(original.strip(), damaged.strip()):
                proposed = [line for line, _ in moved_quote_candidates(damaged.strip())]
                out.append(proposed.index(original.strip()) if original.strip() in proposed else -1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--exclude", action="append", default=list(EXCLUDED))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    root = args.repo.resolve()
    broken = broken_test_files(root, args.exclude)
    found = [rank for file_ranks in map_over_tree(ranks, root, broken, args.jobs) for rank in file_ranks]
    counts = Counter("first" if rank == 0 else "not proposed" if rank < 0 else "later" for rank in found)
    total = len(found)
    print(f"moved-quote lines paired with their last compiling version: {total} in "
          f"{len(broken)} broken test files\n")
    print("| original is | lines | share |")
    print("|---|---|---|")
    for key in ("first", "later", "not proposed"):
        print(f"| {key} | {counts[key]} | {100 * counts[key] / max(total, 1):.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
