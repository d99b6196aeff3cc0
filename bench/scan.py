"""Benchmark `canon scan` against ruff and a plain compile loop, measured in the same run.

    python bench/scan.py PATH [--repeat 5] [--skip-loop]

Prints a markdown table: files, findings, cold and warm wall times of `canon scan` (the CLI in
a subprocess, as a user runs it), a re-scan after one file changed, the same for ruff's
syntax-error check, a single-process `compile()` loop over the same files, the ratios, and a
CPU probe (two equal CPU-bound jobs in two processes vs one after the other) that tells how
many real cores this machine lent the run. Agreement: which files each tool calls broken.

It writes `.testcanon/` state under PATH (the cache being measured); nothing else changes
(the one file edited for the "one file changed" row is restored byte for byte, mtime too).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from multiprocessing import Pool
from pathlib import Path

from testcanon.config import load_project
from testcanon.source import discover


def _timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, result


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def cpu_probe(n: int = 6_000_000) -> float:
    """Speed-up of two equal CPU-bound jobs in 2 processes over running them in a row."""
    started = time.perf_counter()
    _burn(n)
    _burn(n)
    serial = time.perf_counter() - started
    with Pool(2) as pool:
        started = time.perf_counter()
        pool.map(_burn, [n, n])
        parallel = time.perf_counter() - started
    return serial / parallel


def compile_loop(paths: list[str]) -> tuple[float, set[str]]:
    started = time.perf_counter()
    broken = set()
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(data, path, "exec", dont_inherit=True)  # what canon scan asks of each file
        except (SyntaxError, ValueError, OSError, UnicodeDecodeError, MemoryError, RecursionError):
            broken.add(path)
    return time.perf_counter() - started, broken


def canon_scan(root: Path, out: Path) -> tuple[float, dict]:
    seconds, result = _timed([sys.executable, "-m", "testcanon", "scan", "--format", "json",
                              "-o", str(out), "--exit-zero"], root)
    if result.returncode != 0:
        raise SystemExit(f"canon scan failed: {result.stderr.strip()}")
    return seconds, json.loads(out.read_text())


def ruff_scan(root: Path, cache_dir: Path | None) -> tuple[float, set[str]]:
    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if ruff is None:
        return float("nan"), set()
    command = [ruff, "check", "--select", "E902", "--target-version", "py311", "--exit-zero",
               "--output-format", "json", "."]
    command[2:2] = ["--cache-dir", str(cache_dir)] if cache_dir else ["--no-cache"]
    seconds, result = _timed(command, root)
    diagnostics = json.loads(result.stdout or "[]")
    broken = {os.path.relpath(d["filename"], root) for d in diagnostics
              if d.get("code") in (None, "invalid-syntax", "E902")}
    return seconds, {p for p in broken if p.endswith(".py")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-loop", action="store_true", help="skip the slow compile loop")
    args = parser.parse_args()
    root = load_project(args.path).root
    files = discover(load_project(root))
    paths = [f.abspath for f in files]
    work = Path(tempfile.mkdtemp(prefix="canon-bench-"))

    probe = cpu_probe()
    shutil.rmtree(root / ".testcanon" / "cache", ignore_errors=True)
    cold, document = canon_scan(root, work / "cold.json")
    warm_times = [canon_scan(root, work / "warm.json")[0] for _ in range(args.repeat)]
    warm = statistics.median(warm_times)

    victim = Path(paths[len(paths) // 2])
    original, stat = victim.read_bytes(), victim.stat()
    try:
        victim.write_bytes(original + b"\n# touched by bench/scan.py\n")
        one_changed, _ = canon_scan(root, work / "one.json")
    finally:
        victim.write_bytes(original)
        os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    canon_scan(root, work / "restore.json")

    ruff_cold, ruff_broken = ruff_scan(root, None)
    ruff_cache = work / "ruff-cache"
    ruff_scan(root, ruff_cache)
    ruff_warm = statistics.median(ruff_scan(root, ruff_cache)[0] for _ in range(args.repeat))

    loop_seconds, loop_broken = (float("nan"), set()) if args.skip_loop else compile_loop(paths)

    canon_broken = {f["path"] for f in document["findings"]}
    scanned = {f.relpath for f in files}
    ruff_broken &= scanned
    loop_rel = {os.path.relpath(p, root) for p in loop_broken}

    rows = [
        ("files scanned", f"{len(files):,}"),
        ("files broken (canon scan)", f"{len(canon_broken):,}"),
        ("CPU probe: 2 jobs in 2 processes vs in a row", f"{probe:.2f}x"),
        ("canon scan cold", f"{cold:.2f} s"),
        ("canon scan warm (nothing changed, median)", f"{warm:.3f} s"),
        ("canon scan after one file changed", f"{one_changed:.3f} s"),
        ("ruff cold (--no-cache)", f"{ruff_cold:.2f} s"),
        ("ruff cached (median)", f"{ruff_warm:.3f} s"),
        ("single-process compile loop", f"{loop_seconds:.2f} s"),
        ("warm canon / cached ruff (target <= 0.25)", f"{warm / ruff_warm:.2f}"),
        ("compile loop / cold canon (target >= 1.8 on 2 free cores)",
         f"{loop_seconds / cold:.2f}x"),
        ("one changed - warm", f"{one_changed - warm:+.3f} s"),
        ("broken: canon == compile loop (CPython)",
         "yes" if args.skip_loop or loop_rel == canon_broken else
         f"NO ({len(loop_rel ^ canon_broken)} differ)"),
        ("broken by both canon and ruff", f"{len(canon_broken & ruff_broken):,}"),
        ("broken by canon only (CPython rejects, ruff accepts)", f"{len(canon_broken - ruff_broken):,}"),
        ("broken by ruff only (ruff rejects, CPython accepts)", f"{len(ruff_broken - canon_broken):,}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    for label, paths_differing in (("canon only", canon_broken - ruff_broken),
                                   ("ruff only", ruff_broken - canon_broken)):
        for path in sorted(paths_differing)[:10]:
            print(f"  {label}: {path}")
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible, "
          f"affinity {len(os.sched_getaffinity(0))})")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
