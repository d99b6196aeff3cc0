"""What the judgement costs `canon fix` in history mode: this tree's judge against another's, same verdicts.

    python bench/judge_cost.py REPO --base OTHER_SRC [--sample N] [--seed S]

REPO is a git work tree at a commit with broken test files (the corpus); OTHER_SRC is the
`src/` of another testcanon version (`git archive REV src | tar -x -C DIR`). For each sampled
broken file, history repair runs twice in the same worker, under the same load: with this tree's
judge (its memos cleared, git caches cold), then with the other version's judge (git caches
warm, which favours it). Prints CPU seconds per file and whether the verdicts (repaired bytes,
method, refusals) are the same.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from broken_files import EXCLUDED, broken_test_files

from testcanon.analysis.inventory import names_in_broken
from testcanon.repair import history
from testcanon.repair import judge as this
from testcanon.repair.history import history_expected, repair_with_history
from testcanon.repair.verify import decode
from testcanon.vcs.graph import history_env


def load_base(src: Path):
    spec = importlib.util.spec_from_file_location("judge_base", src / "testcanon" / "repair" / "judge.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["judge_base"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def measure(root: Path, base_src: Path, relpath: str) -> dict:
    base = load_base(base_src)
    current = (root / relpath).read_bytes()
    expected = history_expected(root, relpath, names_in_broken(decode(current)))
    row: dict = {"path": relpath}
    for label, module in (("this", this), ("base", base)):
        for name in ("judge", "damage", "profile"):
            setattr(history, name, getattr(module, name))
        this._PROFILES.clear()
        this._BODIES.clear()
        started = time.process_time()
        result = repair_with_history(root, relpath, current, expected)
        row[label] = (time.process_time() - started, result.fixed, result.how, tuple(result.refusals))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--base", type=Path, required=True,
                        help="src/ of the testcanon version to compare with")
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    root = args.repo.resolve()
    broken = broken_test_files(root, list(EXCLUDED))
    sample = sorted(random.Random(args.seed).sample(broken, min(args.sample, len(broken))))
    history_env(root)
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(partial(measure, root, args.base.resolve()), sample))
    print("| file | this judge CPU s | base judge CPU s | same verdict |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row['path']} | {row['this'][0]:.2f} | {row['base'][0]:.2f} | "
              f"{row['this'][1:] == row['base'][1:]} |")
    same = sum(1 for row in rows if row["this"][1:] == row["base"][1:])
    mine, base = [r["this"][0] for r in rows], [r["base"][0] for r in rows]
    print(f"\nfiles {len(rows)}; same verdict {same}/{len(rows)}; CPU s/file median this "
          f"{statistics.median(mine):.2f}, base {statistics.median(base):.2f}; total this {sum(mine):.1f}, "
          f"base {sum(base):.1f} (ratio {sum(mine) / max(sum(base), 1e-9):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
