"""Bad inputs for every `canon` command, and how to run one and classify what happened.

Shared by the hypothesis test (tests/fuzz/test_bad_inputs.py) and by this file run as a
script, which tries a fixed number of drawn cases and prints the count of each outcome:

    .venv/bin/python tests/fuzz/bad_inputs.py --examples 300
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HANG_SECONDS = 90  # a command that takes longer on a two-file project is hung

PYPROJECT = "[project]\nname = 'fuzzed'\n"
FILES = {
    "tests/test_ok.py": "def test_ok():\n    assert 1 + 1 == 2\n",
    "tests/test_broken.py": "def test_broken():\n    assert (1\n",
}

# --- damage to the project's state and files -----------------------------------------------


def _history(root: Path, data: bytes | None = None, sql: str | None = None) -> None:
    path = root / ".testcanon" / "history.sqlite3"
    path.parent.mkdir(exist_ok=True)
    if data is not None:
        path.write_bytes(data)
    if sql is not None:
        db = sqlite3.connect(path)
        db.executescript(sql)
        db.commit()
        db.close()


def _write(relpath: str, content: str | bytes) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return damage


def _symlink_out(root: Path) -> None:
    (root / "tests" / "escape.py").symlink_to(root.parent / "outside" / "secret.py")


DAMAGES: dict[str, Callable[[Path], None]] = {
    "none": lambda root: None,
    "history garbage": lambda root: _history(root, data=os.urandom(3000)),
    "history empty tables": lambda root: _history(root,
                                                  sql="CREATE TABLE runs (x); PRAGMA user_version = 1;"),
    "history foreign": lambda root: _history(root, sql="CREATE TABLE runs (x); INSERT INTO runs VALUES (1);"),
    "history future": lambda root: _history(root, sql="PRAGMA user_version = 77;"),
    "history negative": lambda root: _history(root, sql="PRAGMA user_version = -1;"),
    "state dir is a file": _write(".testcanon", "x"),
    "cache dir is a file": _write(".testcanon/cache", "x"),
    "scan cache garbage": _write(".testcanon/cache/scan-x.marshal", os.urandom(200)),
    "listing cache garbage": _write(".testcanon/cache/listing.marshal", os.urandom(200)),
    "facts cache garbage": _write(".testcanon/cache/check-facts.marshal", os.urandom(200)),
    "baseline a list": _write(".testcanon/baseline.json", "[1, 2]"),
    "baseline garbage": _write(".testcanon/baseline.json", "{{{"),
    "baseline bad entries": _write(".testcanon/baseline.json", '{"format": 1, "findings": [{"code": 1}]}'),
    "audit snapshot garbage": _write(".testcanon/audits/3.json", "not json"),
    "audit snapshot a list": _write(".testcanon/audits/4.json", "[]"),
    "event coverage garbage": _write(".testcanon/event-coverage.json", "[1]"),
    "journal manifest garbage": _write(".testcanon/journal/20260101-000000-1/manifest.json", "{"),
    "binary test file": _write("tests/test_bin.py", b"\x7fELF\x00\x01\x02" * 50),
    "nul bytes": _write("tests/test_nul.py", b"def test_a():\n    x = 1\x00\n"),
    "bad coding cookie": _write("tests/test_cookie.py", b"# -*- coding: klingon -*-\nx = 1\n"),
    "latin-1 without cookie": _write("tests/test_latin.py", b"x = '\xe9'\n"),
    "deep brackets": _write("tests/test_deep.py", "x = " + "[" * 5000 + "\n"),
    "deep valid nesting": _write("tests/test_nest.py", "x = " + "(" * 150 + "1" + ")" * 150 + "\n"),
    "symlink out of the tree": _symlink_out,
    "dangling symlink": lambda root: (root / "tests" / "gone.py").symlink_to(root / "nowhere.py"),
    "symlink loop": lambda root: (root / "tests" / "loop").symlink_to(root / "tests" / "loop"),
    "unreadable conftest dir": _write("tests/conftest.py", "import sys\nsys.exit(0)\n"),
}

# --- bad [tool.testcanon] bodies --------------------------------------------------------------

CONFIGS: dict[str, str] = {
    "none": "",
    "tool = 5": "tool = 5\n",
    "testcanon = []": "[tool]\ntestcanon = []\n",
    "unknown key": "[tool.testcanon]\nbogus = 1\n",
    "batch size 0": "[tool.testcanon.runner]\ncollect_batch_size = 0\n",
    "negative size": "[tool.testcanon]\nmax_file_size = -5\n",
    "nan timeout": "[tool.testcanon.runner]\ncollect_timeout = nan\n",
    "inf timeout": "[tool.testcanon.migrate]\ncollect_timeout = inf\n",
    "negative timeout": "[tool.testcanon.categories.unit]\ntimeout = -1\n",
    "enum typo": "[tool.testcanon.testing]\non_environ_change = 'wran'\n",
    "main_block typo": "[tool.testcanon.migrate]\nmain_block = 'delete'\n",
    "workers word": "[tool.testcanon.runner]\nworkers = 'lots'\n",
    "unknown code": "[tool.testcanon.check]\nselect = ['CANON1O1']\n",
    "per-file unknown code": "[tool.testcanon.check]\nper_file_ignores = {'x' = ['NOPE']}\n",
    "braces in command": "[tool.testcanon.services.db]\ncommand = 'x {\"a\": 1}'\n",
    "unbalanced quote": "[tool.testcanon.services.db]\ncommand = 'x \"y'\n",
    "missing binary": ("[tool.testcanon.services.db]\ncommand = 'no-such-binary-xyz {port}'\nport = 1\n"
                       "[tool.testcanon.categories.unit]\npaths = ['tests/**']\nservices = ['db']\n"),
    "service not declared": "[tool.testcanon.categories.unit]\npaths = ['tests/**']\nservices = ['ghost']\n",
    "deep arrays": "[tool.testcanon]\nx = " + "[" * 2000 + "]" * 2000 + "\n",
    "deep tables": "[tool.testcanon]\nx = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n",
    "invalid toml": "[tool.testcanon\n",
    "not utf-8": "[tool.testcanon]\nx = '\udcff'\n",
    "bad python": "[tool.testcanon]\npython = '/no/such/python'\n",
    "bad glob": "[tool.testcanon]\ninclude = ['[']\n",
    "huge int": "[tool.testcanon]\nmax_file_size = 99999999999999999999\n",
    "bad profile": "[tool.testcanon.events.profiles.x]\nbogus = 1\n",
    "bad baseline path": "[tool.testcanon.check]\nbaseline = '/dev/null/x.json'\n",
}

# --- commands and hostile option values -------------------------------------------------------

COMMANDS: dict[str, list[str]] = {
    "scan": ["scan"], "check": ["check"], "rule": ["rule", "CANON101"], "fix": ["fix", "--dry-run"],
    "migrate": ["migrate", "--dry-run", "--no-verify"], "undo": ["undo", "--list"],
    "run": ["run", "--serial"],
    "collect": ["collect"], "shards": ["shards", "2"], "perf": ["perf"], "coverage": ["coverage"],
    "events": ["events", "validate", "tests/test_ok.py"],
    "journey": ["journey", "--url", "http://127.0.0.1:9", "--timeout", "1"],
    "load": ["load", "--url", "http://127.0.0.1:9", "--duration", "0.5", "--users", "1"],
    "audit": ["audit"], "report": ["report"], "init": ["init", "--dry-run"],
}

# Extra arguments a command is given on top of its base argv (each a list of argv words).
HOSTILE_ARGS: list[list[str]] = [
    [], ["--format", "yaml"], ["--format", ""], ["-o", "tests"], ["-o", "missing/out.json"],
    ["--select", "CANON1O1"], ["--select", ",,,"], ["--ignore", "ZZZ"], ["--jobs", "0"], ["--jobs", "-3"],
    ["tests/nope.py"], ["../outside"], ["../outside/secret.py"], ["tests/test_broken.py"],
    ["--project", "../outside"], ["--project", "/nonexistent"], ["a" * 3000], ["--shard", "3/2"],
    ["--shard", "x"], ["--workers", "abc"], ["--recent", "0"], ["--floor", "nan"], ["--batch-size", "0"],
    ["--timeout", "-1"], ["--timeout", "nan"], ["--affected", "no-such-ref"], ["--html", "tests/test_ok.py"],
    ["--json", "tests"], ["--users", "-1"], ["--duration", "inf"], ["--profile", "nope"], ["--env", "nope"],
    ["--python", "/no/python"], ["--method", "telepathy"], ["--", "--bogus-pytest-flag"], ["--help"],
]


def applicable_args(command: str) -> list[list[str]]:
    """The hostile arguments this command takes at all (an unknown option is only click's
    usage error, which says nothing about how the command copes with a bad value)."""
    import click
    import typer.main

    from testcanon.cli import app

    group = typer.main.get_command(app)
    cmd = group.get_command(click.Context(group), COMMANDS[command][0])  # type: ignore[attr-defined]
    if isinstance(cmd, click.Group):
        cmd = cmd.get_command(click.Context(cmd), COMMANDS[command][1])
    options = {opt for param in cmd.params for opt in param.opts if opt.startswith("-")}
    takes_paths = any(isinstance(p, click.Argument) and p.nargs == -1 for p in cmd.params)
    chosen = []
    for extra in HOSTILE_ARGS:
        if not extra or extra == ["--help"]:
            chosen.append(extra)
        elif extra[0] == "--":
            if command == "run":
                chosen.append(extra)
        elif extra[0].startswith("-"):
            if extra[0] in options:
                chosen.append(extra)
        elif takes_paths:
            chosen.append(extra)
    return chosen


@dataclass(frozen=True)
class Case:
    command: str
    extra: tuple[str, ...]
    damage: str
    config: str

    def describe(self) -> str:
        return (f"canon {' '.join(COMMANDS[self.command] + list(self.extra))[:120]} | "
                f"{self.damage} | {self.config}")


@dataclass(frozen=True)
class Outcome:
    kind: str  # ran, usage-error, one-line-error, traceback, hang, wrote-outside
    returncode: int | None
    stderr: str


def make_project(base: Path, case: Case) -> Path:
    root = base / "proj"
    outside = base / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.py").write_text("SECRET = (\n")
    for relpath, text in {**FILES, "pyproject.toml": PYPROJECT + CONFIGS[case.config]}.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, errors="surrogateescape")
    DAMAGES[case.damage](root)
    return root


def run_case(base: Path, case: Case, python: str = sys.executable) -> Outcome:
    """Build the project under `base`, run the command, classify what happened."""
    root = make_project(base, case)
    before = sorted(p.name for p in (base / "outside").iterdir())
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    try:
        done = subprocess.run([python, "-m", "testcanon", *COMMANDS[case.command], *case.extra], cwd=root,
                              capture_output=True, text=True, timeout=HANG_SECONDS, env=env,
                              stdin=subprocess.DEVNULL, errors="replace")
    except subprocess.TimeoutExpired:
        return Outcome("hang", None, "")
    if "Traceback (most recent call last)" in done.stderr:
        return Outcome("traceback", done.returncode, done.stderr)
    if sorted(p.name for p in (base / "outside").iterdir()) != before:
        return Outcome("wrote-outside", done.returncode, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode == 2 and lines and lines[-1].startswith("canon: error:"):
        return Outcome("one-line-error", 2, done.stderr)
    if done.returncode == 2:
        return Outcome("usage-error", 2, done.stderr)
    return Outcome("ran", done.returncode, done.stderr)


def main() -> None:
    import argparse
    import random
    import tempfile
    from collections import Counter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--parallel", type=int, default=2, help="cases run at once")
    parser.add_argument("--sweep", action="store_true",
                        help="every command with every damage, every config and every argument it takes, "
                             "one bad input at a time (instead of --examples random combinations)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    outcomes: Counter[str] = Counter()
    bad: list[str] = []
    applicable = {command: applicable_args(command) for command in COMMANDS}
    if args.sweep:
        cases = [Case(c, (), d, "none") for c in COMMANDS for d in DAMAGES]
        cases += [Case(c, (), "none", k) for c in COMMANDS for k in CONFIGS if k != "none"]
        cases += [Case(c, tuple(a), "none", "none") for c in COMMANDS for a in applicable[c] if a]
    else:
        cases = []
        for _ in range(args.examples):
            command = rng.choice(sorted(COMMANDS))
            cases.append(Case(command, tuple(rng.choice(applicable[command])), rng.choice(sorted(DAMAGES)),
                              rng.choice(sorted(CONFIGS))))
    def one(case: Case) -> tuple[Case, Outcome]:
        with tempfile.TemporaryDirectory(prefix="canon-fuzz-") as tmp:
            return case, run_case(Path(tmp), case)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(args.parallel) as pool:  # each case is a subprocess: threads suffice
        for case, outcome in pool.map(one, cases):
            outcomes[outcome.kind] += 1
            if outcome.kind in ("traceback", "hang", "wrote-outside"):
                bad.append(f"{outcome.kind}: {case.describe()}\n"
                           f"    {outcome.stderr.strip().splitlines()[-1:]}")
                print(bad[-1], flush=True)
    print(f"{len(cases)} bad-input cases ({'sweep' if args.sweep else f'seed {args.seed}'}):")
    for kind, count in sorted(outcomes.items(), key=lambda item: -item[1]):
        print(f"  {kind:16} {count}")
    for line in bad:
        print(line)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
