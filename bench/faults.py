"""Random SIGKILLs of `canon fix` and `canon migrate`, then `canon undo`: is every byte back?

    python bench/faults.py [--trials 50] [--seed 1] [--example examples/sprawling_repo]

Each trial copies the example into a fresh git repository (fix's history mode needs one), runs
`canon fix` or `canon migrate`, and kills it with SIGKILL, either at a step of the write protocol
drawn at random among the steps a clean run goes through (`TESTCANON_FAULT=kill:STEP:N`, the
hook the tests use; a first traced run lists them), or at a random moment of the command's
run time (the whole process group, workers included). Then `canon undo` runs and the tree is
compared with the original byte for byte (file contents, modes, symlinks; `.git` and `.testcanon`
aside), and the files the protocol leaves behind are counted: temporary files (target: none)
and any other file that was not there before. Prints one table row per command and a total.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS = {"fix": ["fix"], "migrate": ["migrate"]}
SKIP = {".git", ".testcanon"}


def canon(args: list[str], cwd: Path, env: dict[str, str] | None = None,
          timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "testcanon", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def snapshot(root: Path) -> dict[str, tuple[str, bytes, int]]:
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) == root and d in SKIP))
        for name in dirs + files:
            path = Path(folder) / name
            status = path.lstat()
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = ("link", os.readlink(path).encode(), 0)
            elif path.is_dir():
                found[key] = ("dir", b"", status.st_mode & 0o7777)
            else:
                found[key] = ("file", path.read_bytes(), status.st_mode & 0o7777)
    return found


def temp_files(root: Path) -> list[str]:
    """Temporary files anywhere, the journal included: `.canon.<run>.<n>[.undo].tmp`, and the
    `.NAME.xxxxxxxx.tmp` of testcanon's older writer."""
    return [str(p.relative_to(root)) for p in root.rglob("*.tmp") if ".git" not in p.relative_to(root).parts]


def make_pristine(example: Path, where: Path) -> Path:
    pristine = where / "pristine"
    shutil.copytree(example, pristine, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".testcanon", ".pytest_cache"))
    quiet = {"cwd": pristine, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
    subprocess.run(["git", "add", "-A"], **quiet)
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-qm",
                    "example"], **quiet)
    return pristine


@dataclass
class Tally:
    trials: int = 0
    by_hook: int = 0
    by_time: int = 0
    not_killed: int = 0
    restored: int = 0
    temp_left: int = 0
    other_left: int = 0
    undo_codes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def trace(pristine: Path, where: Path, command: str) -> tuple[list[tuple[str, int]], float]:
    """The (step, occurrence) kill points a clean run goes through, and its duration."""
    tree = where / f"trace-{command}"
    shutil.copytree(pristine, tree, symlinks=True)
    log = where / f"trace-{command}.log"
    started = time.monotonic()
    canon(COMMANDS[command], tree, {"TESTCANON_FAULT_TRACE": str(log)})
    elapsed = time.monotonic() - started
    seen: Counter[str] = Counter()
    points = []
    for step in log.read_text().split():
        seen[step] += 1
        points.append((step, seen[step]))
    shutil.rmtree(tree)
    return points, elapsed


def kill_at_time(args: list[str], cwd: Path, delay: float) -> int:
    """Start the command and SIGKILL its whole process group after `delay` seconds."""
    process = subprocess.Popen([sys.executable, "-m", "testcanon", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=delay)
        return process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def trial(pristine: Path, where: Path, index: int, command: str, points: list[tuple[str, int]],
          duration: float, rng: random.Random, tally: Tally) -> None:
    tree = where / f"t{index}"
    shutil.copytree(pristine, tree, symlinks=True)
    before = snapshot(tree)
    tally.trials += 1
    if rng.random() < 0.75 and points:
        step, count = rng.choice(points)
        how = f"kill:{step}:{count}"
        code = canon(COMMANDS[command], tree, {"TESTCANON_FAULT": how}).returncode
        tally.by_hook += 1
    else:
        delay = rng.uniform(0.0, duration)
        how = f"after {delay:.2f}s"
        code = kill_at_time(COMMANDS[command], tree, delay)
        tally.by_time += 1
    if code != -signal.SIGKILL:
        tally.not_killed += 1
    undo = canon(["undo"], tree)
    outcome = ("undone" if undo.returncode == 0 else
               "nothing to undo" if undo.returncode == 2 and "nothing to undo" in undo.stderr else "refused")
    tally.undo_codes[outcome] += 1
    after = snapshot(tree)
    temps = temp_files(tree)
    others = sorted(set(after) - set(before))
    tally.temp_left += len(temps)
    tally.other_left += len(others)
    if after == before:
        tally.restored += 1
    else:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        tally.failures.append(f"{command} {how}: {len(changed)} path(s) differ, e.g. {changed[:3]}; "
                              f"undo said {undo.stderr.strip()[:200]!r}")
    if outcome == "refused" or "Traceback" in undo.stderr:
        tally.failures.append(f"{command} {how}: undo exit {undo.returncode}: {undo.stderr.strip()[-300:]}")
    shutil.rmtree(tree)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--example", type=Path, default=REPO / "examples" / "sprawling_repo")
    parser.add_argument("--commands", default="fix,migrate", help="comma-separated: fix, migrate")
    options = parser.parse_args()
    commands = [c for c in options.commands.split(",") if c in COMMANDS]
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="canon-faults-") as scratch:
        where = Path(scratch)
        pristine = make_pristine(options.example.resolve(), where)
        traced = {command: trace(pristine, where, command) for command in commands}
        tallies = {command: Tally() for command in commands}
        started = time.monotonic()
        for index in range(options.trials):
            command = commands[index % len(commands)]
            points, duration = traced[command]
            trial(pristine, where, index, command, points, duration, rng, tallies[command])
        elapsed = time.monotonic() - started
    print(f"bench/faults.py: {options.trials} SIGKILLs on copies of {options.example.name} "
          f"(seed {options.seed}, {elapsed:.0f} s)\n")
    print("| command | kill points | trials | by hook | by time | finished before the kill | restored byte "
          "for byte | temp files left | other files left | canon undo |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    total = Tally()
    for command, tally in tallies.items():
        codes = ", ".join(f"{name} {tally.undo_codes[name]}"
                          for name in ("undone", "nothing to undo", "refused"))
        print(f"| canon {command} | {len(traced[command][0])} | {tally.trials} | {tally.by_hook} | "
              f"{tally.by_time} | {tally.not_killed} | {tally.restored}/{tally.trials} | {tally.temp_left} | "
              f"{tally.other_left} | {codes} |")
        total.trials += tally.trials
        total.restored += tally.restored
        total.temp_left += tally.temp_left
        total.failures += tally.failures
    print(f"\nrestored {total.restored} of {total.trials} trees byte for byte; temporary files left: "
          f"{total.temp_left} (`nothing to undo`: killed before its journal run was opened)")
    for failure in total.failures:
        print(f"  FAILED {failure}")
    return 0 if total.restored == total.trials and total.temp_left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
