"""Start-up time of `canon --version` / `canon --help` side by side with pytest's and ruff's.

Each command runs interleaved with the others, `--runs` times, in a fresh process (what a user
or a pre-commit hook pays); the table shows the median and the ratio to `pytest --version`
measured in the same run, so a loaded machine slows every row alike. Target: canon within 2x
of pytest.

    python bench/startup.py [--runs 15] [--python .venv/bin/python]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def commands(python: str) -> dict[str, list[str]]:
    bin_dir = Path(python).parent
    rows = {
        "pytest --version": [python, "-m", "pytest", "--version"],
        "canon --version": [python, "-m", "testcanon", "--version"],
        "canon --help": [python, "-m", "testcanon", "--help"],
        "canon check --help": [python, "-m", "testcanon", "check", "--help"],
        "python -c pass": [python, "-c", "pass"],
    }
    ruff = shutil.which("ruff", path=str(bin_dir)) or shutil.which("ruff")
    if ruff:
        rows["ruff --version"] = [ruff, "--version"]
    return rows


def measure(rows: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in rows}
    for argv in rows.values():  # warm the file cache once
        subprocess.run(argv, capture_output=True, check=False)
    for _ in range(runs):
        for name, argv in rows.items():
            started = time.perf_counter()
            result = subprocess.run(argv, capture_output=True, check=False)
            times[name].append(time.perf_counter() - started)
            if result.returncode != 0:
                raise SystemExit(f"{name}: exit {result.returncode}: {result.stderr.decode()[-300:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", default=sys.executable, help="interpreter with testcanon[cli] and pytest")
    args = parser.parse_args()
    times = measure(commands(args.python), args.runs)
    peer = statistics.median(times["pytest --version"])
    print(f"{'command':<22} {'median ms':>10} {'min ms':>8} {'x pytest --version':>19}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<22} {median * 1000:>10.0f} {min(samples) * 1000:>8.0f} {median / peer:>19.2f}")


if __name__ == "__main__":
    main()
