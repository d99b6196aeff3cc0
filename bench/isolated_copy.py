"""What the isolated copy verification runs tests in costs, against `cp -a` and `cp -al` of the same tree.

    python bench/isolated_copy.py PATH [--exclude GLOB ...] [--repeat N]

`cp -a` (a full real copy) is the peer; `cp -al` (hard links: what the scratch copy used to be,
and unsafe) is the floor. Everything is copied into a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from testcanon.migrate.isolation import isolated_copy
from testcanon.source import GlobSet


def timed_cp(flags: str, source: Path, destination: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["cp", flags, str(source), str(destination)], check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--exclude", action="append", default=[], help="the project's excluded folders")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print("| run | isolated copy s | files | MB | cloned | cp -a s | cp -al s | isolated / cp -a |")
    print("|---|---|---|---|---|---|---|---|")
    for run in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory(prefix="canon-bench-copy-") as tmp:
            stats = isolated_copy(args.path, Path(tmp) / "isolated",
                                  GlobSet(args.exclude) if args.exclude else None)
            shutil.rmtree(Path(tmp) / "isolated")
            full = timed_cp("-a", args.path, Path(tmp) / "full")
            shutil.rmtree(Path(tmp) / "full")
            links = timed_cp("-al", args.path, Path(tmp) / "links")
            print(f"| {run} | {stats.seconds:.1f} | {stats.files} | {stats.bytes >> 20} | {stats.cloned} | "
                  f"{full:.1f} | {links:.1f} | {stats.seconds / full:.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
