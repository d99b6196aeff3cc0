"""`canon migrate` on a copy of a real repository: fixed violations per codemod, verification, speed.

    python bench/migrate.py PATH [--exclude GLOB ...] [--select CODE ...] [--python VENV]
                                 [--canonical-base DOTTED ...] [--verify collect|outcomes|static]
                                 [--path P ...] [--reasons N]

PATH is copied to a temporary folder (never modified). For each codemod, on a fresh copy:
violations before/after (`canon check`), files changed, how each change was verified (identical
collected ids, or statically where pytest cannot collect), files rejected, wall time and files/s.
`--python` is the repository's own venv (verification runs there); `--canonical-base` adds a base
the project counts as canonical (`[tool.testcanon.check] canonical_bases`, e.g. the seed corpus's
own `test_framework.ssot.base_test_case.SSotBaseTestCase`) besides testcanon's.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

CODEMODS = ("CANON101", "CANON201", "CANON202", "CANON301", "CANON401")
IGNORE = shutil.ignore_patterns(".git", ".testcanon", "__pycache__", "node_modules", ".venv")


def canon(root: Path, *args: str, verbose: int = 0) -> dict:
    """One `canon` command's JSON report; with `verbose`, its `-v` log goes to this bench's stderr."""
    flags = ["-" + "v" * verbose] if verbose else []
    result = subprocess.run([sys.executable, "-m", "testcanon", *flags, *args, "--format", "json"], cwd=root,
                            stdout=subprocess.PIPE, stderr=None if verbose else subprocess.PIPE, text=True)
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--exclude", action="append", default=["*backup*", "archived", "archive"])
    parser.add_argument("--select", action="append", choices=CODEMODS,
                        help="only these codemods (default: all)")
    parser.add_argument("--python", help="the repository's own venv or interpreter (verification runs there)")
    parser.add_argument("--canonical-base", action="append", default=[],
                        help="a base the project counts as canonical (repeatable)")
    parser.add_argument("--verify", default="collect", choices=("outcomes", "collect", "static"))
    parser.add_argument("--infra", action="append", default=[],
                        help="a glob of test infrastructure ([tool.testcanon.check] infra, as canon init "
                             "proposes it; repeatable)")
    parser.add_argument("--path", dest="paths", action="append", default=[],
                        help="a path to migrate (repeatable; default: the whole project). Naming a "
                             "folder of a shipped package (`test_framework`) is how a user includes it")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="show what `canon migrate` is doing, on stderr (-vv: every pytest run)")
    parser.add_argument("--reasons", type=int, default=0, metavar="N",
                        help="also print, per codemod, the N most common reasons violations were left")
    args = parser.parse_args()
    python = ["--python", args.python] if args.python else []
    print("| codemod | before | after | fixed | left, reported with a reason | files changed | "
          "verified by collected ids | verified statically | rejected by verification | seconds | files/s | "
          "files/s outside pytest collection |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    failures: set[str] = set()
    reasons: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory(prefix="canon-bench-migrate-") as tmp:
        pristine = Path(tmp) / "pristine"
        shutil.copytree(args.path, pristine, ignore=IGNORE, symlinks=True)
        with (pristine / "pyproject.toml").open("a") as handle:
            handle.write(f"\n[tool.testcanon]\nextend_exclude = {json.dumps(args.exclude)}\n")
            if args.canonical_base or args.infra:
                from testcanon.config.schema import CANONICAL_BASES

                handle.write("\n[tool.testcanon.check]\n")
                if args.canonical_base:
                    bases = [*CANONICAL_BASES, *args.canonical_base]
                    handle.write(f"canonical_bases = {json.dumps(bases)}\n")
                if args.infra:
                    handle.write(f"infra = {json.dumps(args.infra)}\n")
        for code in args.select or CODEMODS:
            work = Path(tmp) / code
            shutil.copytree(pristine, work, symlinks=True)
            before = canon(work, "check", "--exit-zero", "--no-baseline")["statistics"].get(code, 0)
            started = time.perf_counter()
            report = canon(work, "migrate", *args.paths, "--select", code, "--verify", args.verify, *python,
                           verbose=args.verbose)
            seconds = time.perf_counter() - started
            after = canon(work, "check", "--exit-zero", "--no-baseline")["statistics"].get(code, 0)
            changed = len(report["changed"])
            rejected = len(report["rejected"])
            # every violation left, with its reason (CANON101 grouped by the base to move)
            reported = sum(item["count"] for item in report["left"] if item["code"] == code)
            if code not in ("CANON101", "CANON201", "CANON301"):
                reported += len(report["not_converted"]) + len(report["manual_review"])
            if report.get("collection_failure"):
                failures.add("pytest could not collect in this tree, so changes were verified statically: "
                             + report["collection_failure"])
            if report.get("collected_with_pytest_defaults"):
                failures.add("pytest refused the tree's configuration: collected with pytest's defaults "
                             "(files whose imports fail here are verified statically)")
            print(f"| {code} | {before} | {after} | {100 * (before - after) / before if before else 0:.1f}% "
                  f"| {reported} | {changed} | {report['verified_by_collection']} | "
                  f"{report['verified_statically']} | {rejected} | {seconds:.1f} | {changed / seconds:.1f} | "
                  f"{changed / max(seconds - report.get('collection_seconds', 0), 1e-9):.1f} |", flush=True)
            reasons[code] = Counter()
            for item in report["left"]:
                if item["code"] == code:
                    reasons[code][_reason_class(item["reason"])] += item["count"]
            for why in report["rejected"].values():
                reasons[code][f"rejected by verification: {_reason_class(why)}"] += 1
            shutil.rmtree(work)
    for failure in sorted(failures):
        print(f"\n{failure}")
    for code, counted in reasons.items() if args.reasons else ():
        print(f"\n{code}: violations left by reason (rejected: files)\n\n| count | reason |\n|---|---|")
        for reason, count in counted.most_common(args.reasons):
            print(f"| {count} | {reason} |")
    return 0


def _reason_class(reason: str) -> str:
    """A reason with its particulars (names in backticks, paths, numbers) taken out, to group by."""
    reason = re.sub(r"`[^`]*`", "`…`", reason)
    reason = re.sub(r"'[^']*'", "'…'", reason)
    return re.sub(r"\d+", "N", reason)[:160]


if __name__ == "__main__":
    sys.exit(main())
