"""Overhead of the testcanon pytest plugin on a suite that does not use it.

    python bench/plugin_overhead.py [--tests 2000] [--repeat 5]

Generates 2,000 trivial tests in 20 files, runs them with pytest with the plugin disabled
(`-p no:testcanon`) and enabled (the default once installed), alternating, and prints the
median wall times and their ratio (target <= 1.03).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_suite(root: Path, tests: int, files: int = 20) -> None:
    per_file = tests // files
    for index in range(files):
        body = "\n".join(f"def test_{index}_{n}():\n    assert {n} + 1 > {n}\n" for n in range(per_file))
        (root / f"test_gen_{index}.py").write_text(body)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-p no:cacheprovider'\n")


def run(root: Path, *extra: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *extra], cwd=root,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:])
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_suite(root, args.tests)
        run(root)  # warm the file system and bytecode caches
        without, with_plugin = [], []
        for _ in range(args.repeat):
            without.append(run(root, "-p", "no:testcanon"))
            with_plugin.append(run(root))
    a, b = statistics.median(without), statistics.median(with_plugin)
    print("| measure | value |\n|---|---|")
    print(f"| tests | {args.tests:,} |")
    print(f"| pytest without the plugin (median of {args.repeat}) | {a:.3f} s |")
    print(f"| pytest with the plugin (median of {args.repeat}) | {b:.3f} s |")
    print(f"| ratio (target <= 1.03) | {b / a:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
