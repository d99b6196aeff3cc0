"""Does `canon migrate` make any real test worse? And does `canon undo` restore the tree exactly?

    python bench/migrate_outcomes.py CHECKOUT --venv VENV [--tests PATH ...] [--name NAME] ...

For each checkout (with the venv its tests run in), on a copy in a temporary folder (the
checkout is never written):

1. the project's tests run twice with the project's interpreter (flaky = outcome differs);
2. `canon migrate --python VENV` (verification by outcomes: its default);
   (on the same test paths: the migration, and so its verification, covers those files);
3. the tests run again, with testcanon put on PYTHONPATH and its plugin loaded (as an adopting
   team would have it): tests whose outcome got worse (target 0), other outcome changes;
4. `canon undo`, and whether every file of the copy is byte-identical to before.

The copy's own `src/` and root come first on PYTHONPATH, so a venv with the checkout installed
editable imports the copy, not the checkout. The peer for the migration's wall time is one
plain run of the same tests in the same session.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import testcanon
from testcanon.migrate.outcomes import ABSENT, TestRun, changed_outcomes, prepare_runtime, run_tests
from testcanon.target.python import resolve_python

GOOD = {"passed", "xfailed", "skipped", "xpassed"}  # an outcome that becoming failed/error/absent makes worse


def tree_digest(root: Path) -> dict[str, str]:
    """Every file (and link) below root, except .testcanon/ and .git/, by content digest."""
    digests: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".testcanon", ".git", "__pycache__")]
        for name in filenames:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                digests[rel] = "link:" + os.readlink(path)
            else:
                digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def copy_checkout(source: Path, destination: Path) -> None:
    if (source / ".git").exists():
        subprocess.run(["git", "clone", "-q", str(source), str(destination)], check=True)
    else:
        shutil.copytree(source, destination, symlinks=True,
                        ignore=shutil.ignore_patterns(".venv", "venv", ".testcanon", "__pycache__",
                                                      "node_modules"))


def worse(before: TestRun, after: TestRun, flaky: set[str]) -> tuple[dict[str, tuple[str, str]], int]:
    """(tests whose outcome got worse, count of other outcome changes), flaky ones left out."""
    moved = {test: change for test, change in changed_outcomes(before, after).items() if test not in flaky}
    bad = {test: (old, new) for test, (old, new) in moved.items()
           if old in GOOD and new not in GOOD or old == ABSENT and new in ("failed", "error")}
    return bad, len(moved) - len(bad)


def test_env(root: Path, runtime: Path, lib: Path) -> dict[str, str]:
    """The tests' environment: the tree's own code first, testcanon after it, its plugin loaded."""
    paths = [str(runtime), *([str(root / "src")] if (root / "src").is_dir() else []), str(root), str(lib)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTEST_PLUGINS": "testcanon.testing.plugin"}
    env.pop("VIRTUAL_ENV", None)
    return env


def bench(name: str, checkout: Path, venv: Path, tests: list[str], timeout: float, work: Path,
          verify: str = "outcomes", config: str = "") -> dict[str, object]:
    root = work / name
    copy_checkout(checkout, root)
    if config:  # as the adopting team configured it (`canon init` infers the same)
        with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write(f"\n[tool.testcanon]\n{config}\n")
    python = resolve_python(root, cli=str(venv))
    lib = work / f"{name}-lib"
    shutil.copytree(Path(testcanon.__file__).parent, lib / "testcanon",
                    ignore=shutil.ignore_patterns("__pycache__"))
    runtime = work / f"{name}-runtime"
    plugins = prepare_runtime(runtime, has_testcanon=True)  # the reporter only: testcanon comes from `lib`
    env = test_env(root, runtime, lib)
    first = run_tests(python, root, tests, timeout, env, plugins)
    second = run_tests(python, root, tests, timeout, env, plugins)
    for run in (first, second):
        if run.failure:
            return {"repo": name, "error": f"the tests could not run: {run.failure}"}
    flaky = set(changed_outcomes(first, second))
    pristine = tree_digest(root)
    canon_env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    started = time.perf_counter()
    migrate = subprocess.run([sys.executable, "-m", "testcanon", "migrate", *tests, "--python", str(venv),
                              "--verify", verify, "--format", "json"], cwd=root, capture_output=True,
                             text=True, env=canon_env)
    migrate_seconds = time.perf_counter() - started
    try:
        report = json.loads(migrate.stdout)
    except ValueError:
        return {"repo": name,
                "error": f"canon migrate exited {migrate.returncode}: {migrate.stderr.strip()[-300:]}"}
    # the tests run on a copy of the migrated tree, so what they write cannot blur the undo check
    migrated = work / f"{name}-migrated"
    shutil.copytree(root, migrated, symlinks=True, ignore=shutil.ignore_patterns(".testcanon", ".git"))
    after = run_tests(python, migrated, tests, timeout, test_env(migrated, runtime, lib), plugins)
    if after.failure:
        bad, other = {"<the whole run>": ("ran", after.failure)}, 0
    else:
        bad, other = worse(first, after, flaky)
    undo = subprocess.run([sys.executable, "-m", "testcanon", "undo"], cwd=root, capture_output=True,
                          text=True, env=canon_env)
    proof = report.get("proof", {})
    return {
        "repo": name, "tests": len(first.outcomes), "flaky": len(flaky),
        "outcomes_before": {o: sum(1 for v in first.outcomes.values() if v == o)
                            for o in sorted(set(first.outcomes.values()))},
        "changed_files": len(report["changed"]), "rejected_files": len(report["rejected"]),
        "proof_outcomes": sum(1 for p in proof.values() if p == "outcomes"),
        "proof_collected": sum(1 for p in proof.values() if p == "collected"),
        "proof_static": sum(1 for p in proof.values() if p == "static"),
        "verify_fallback": report.get("verify_fallback"),
        "worse": len(bad), "worse_tests": sorted(bad.items())[:10], "other_changes": other,
        "undo_exit": undo.returncode, "undo_exact": tree_digest(root) == pristine,
        "pytest_seconds": round(first.seconds, 1), "migrate_seconds": round(migrate_seconds, 1),
        "migrate_over_pytest": round(migrate_seconds / max(first.seconds, 1e-9), 2),
        "copy_seconds": (report.get("copy") or {}).get("seconds"),
        "test_seconds_in_verify": report.get("test_seconds"),
        "rejected": report["rejected"], "flaky_tests": sorted(flaky)[:10],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, nargs="+")
    parser.add_argument("--venv", type=Path, action="append", required=True,
                        help="the venv (or interpreter) of each checkout, in the same order")
    parser.add_argument("--tests", action="append", default=None,
                        help="test paths to run (default: tests); one comma-separated list per checkout")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per test run")
    parser.add_argument("--json", action="store_true", help="also print each result as JSON")
    parser.add_argument("--verify", default="outcomes", choices=("outcomes", "collect", "static"),
                        help="the proof canon migrate asks for (collect: the peer, as "
                             "verification was before)")
    parser.add_argument("--testcanon-config", default="",
                        help="lines for [tool.testcanon] (e.g. test_paths = [\"t\"])")
    parser.add_argument("--addopts", default="",
                        help="PYTEST_ADDOPTS for every pytest run (the same for all)")
    args = parser.parse_args()
    if len(args.venv) != len(args.checkout):
        parser.error("give one --venv per checkout")
    if args.addopts:
        os.environ["PYTEST_ADDOPTS"] = args.addopts
    test_lists = [t.split(",") for t in args.tests] if args.tests else [["tests"]] * len(args.checkout)
    if len(test_lists) != len(args.checkout):
        parser.error("give one --tests per checkout (or none)")
    print(f"canon migrate --verify {args.verify}\n")
    print("| repo | tests | flaky | files migrated | rejected | proof outcomes/collected/static | worse "
          "after migrate | other outcome changes | undo exact | migrate s | pytest s | migrate / pytest |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="canon-bench-outcomes-") as tmp:
        for checkout, venv, tests in zip(args.checkout, args.venv, test_lists, strict=True):
            result = bench(checkout.resolve().name, checkout.resolve(), venv.resolve(), tests, args.timeout,
                           Path(tmp), args.verify, args.testcanon_config)
            if "error" in result:
                print(f"| {result['repo']} | {result['error']} |||||||||||", flush=True)
                continue
            print(f"| {result['repo']} | {result['tests']} | {result['flaky']} | {result['changed_files']} | "
                  f"{result['rejected_files']} | {result['proof_outcomes']}/{result['proof_collected']}/"
                  f"{result['proof_static']} | {result['worse']} | {result['other_changes']} | "
                  f"{result['undo_exact']} | {result['migrate_seconds']} | {result['pytest_seconds']} | "
                  f"{result['migrate_over_pytest']}x |", flush=True)
            if args.json:
                print(json.dumps(result, indent=1, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
