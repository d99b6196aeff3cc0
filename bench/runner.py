"""`canon run` against plain pytest on a generated suite and on the example; shard balance.

    python bench/runner.py [--files 300] [--tests-per-file 10] [--repeat 5]

Generated: 3,000 tests in 300 files, mixed fast and sleeping (1 in 20 sleeps 5-30 ms).
Measured in the same run, alternating (pytest, canon, pytest, canon, ...: a machine whose load
drifts weighs on both sides): `pytest` vs `canon run --serial` (overhead, target <= 5%), and
`pytest -n 2` vs `canon run --workers 2` (target: no slower); each canon run is divided by the
pytest run just before it, and the min and median of those ratios are printed. The peer is the
project's own command, `python -m pytest -q tests` (its cache plugin on, as `canon run` has it),
started in a session of its own as `canon run` starts its pytest (Linux's scheduler autogroups
give each session its own share of a loaded machine's CPU). Shards: `canon run --shard K/4`'s
plan from `.test_durations` (`canon shards 4 --update`) vs an even split by file count (target: max shard
within 10% of
the mean).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_suite(root: Path, files: int, per_file: int) -> None:
    rng = random.Random(3)
    (root / "pyproject.toml").write_text("[tool.testcanon]\ntest_paths = ['tests']\n"
                                         "[tool.testcanon.categories.unit]\npaths = ['tests/**']\n")
    (root / "tests").mkdir()
    for index in range(files):
        lines = ["import time\n"]
        for n in range(per_file):
            sleep = rng.choice([0.0] * 19 + [rng.uniform(0.005, 0.03)])
            lines.append(f"def test_{index}_{n}():\n    time.sleep({sleep:.4f})\n    assert {n} >= 0\n")
        (root / "tests" / f"test_gen_{index:03d}.py").write_text("\n".join(lines))


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, start_new_session=True)
    if result.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-1500:]}{result.stderr[-1500:]}")
    return time.perf_counter() - started


def alternating(peer: list[str], canon: list[str], cwd: Path, repeat: int) -> tuple[list[float], list[float]]:
    """`repeat` pairs of (peer, canon) wall times, run one after the other."""
    pairs = [(timed(peer, cwd), timed(canon, cwd)) for _ in range(repeat)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def ratio_row(label: str, peer: list[float], canon: list[float]) -> tuple[str, str]:
    ratios = [c / p for p, c in zip(peer, canon, strict=True)]
    return (label, f"min {min(ratios):.3f}, median {statistics.median(ratios):.3f} "
                   f"(pytest median {statistics.median(peer):.2f} s, canon {statistics.median(canon):.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--tests-per-file", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp) / "suite"
        suite.mkdir()
        make_suite(suite, args.files, args.tests_per_file)
        pytest_serial, canon_serial = alternating([py, "-m", "pytest", "-q", "tests"],
                                                  [py, "-m", "testcanon", "run", "--serial"],
                                                  suite, args.repeat)
        pytest_n2, canon_n2 = alternating([py, "-m", "pytest", "-q", "-n", "2", "tests"],
                                          [py, "-m", "testcanon", "run", "--workers", "2"],
                                          suite, args.repeat)
        rows += [("generated suite", f"{args.files * args.tests_per_file:,} tests in {args.files} files"),
                 ratio_row("canon run --serial / pytest (target <= 1.05)", pytest_serial, canon_serial),
                 ratio_row("canon run --workers 2 / pytest -n 2 (target <= 1.0)", pytest_n2, canon_n2)]
        from testcanon.config import load_project
        from testcanon.runner.durations import load, per_file
        from testcanon.runner.shards import imbalance, plan

        subprocess.run([py, "-m", "testcanon", "shards", "4", "--update"], cwd=suite, capture_output=True,
                       check=True)
        project = load_project(suite)
        durations = per_file(load(project.root))  # the committed durations file the plan reads
        names = sorted(durations)
        planned = plan(names, durations, 4)
        by_count = [names[i::4] for i in range(4)]
        even = [sum(durations[n] for n in group) for group in by_count]
        rows += [("shard plan N=4: max/mean (target <= 1.10)", f"{imbalance(planned):.3f}"),
                 ("even split by file count N=4: max/mean", f"{max(even) / (sum(even) / 4):.3f}")]
        example = Path(tmp) / "example"
        shutil.copytree(ROOT / "examples" / "sprawling_repo", example,
                        ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
        ex_pytest = statistics.median(_run_example([py, "-m", "pytest", "-q",
                                                    "--continue-on-collection-errors",
                                                    "tests"], example)
                                      for _ in range(args.repeat))
        ex_canon = statistics.median(_run_example([py, "-m", "testcanon", "run", "--serial",
                                                   "--no-fail-fast"], example)
                                     for _ in range(args.repeat))
        rows += [("example: pytest", f"{ex_pytest:.2f} s"),
                 ("example: canon run --serial (5 categories)", f"{ex_canon:.2f} s")]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


def _run_example(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, start_new_session=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
