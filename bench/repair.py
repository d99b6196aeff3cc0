"""`canon fix` on real damage: every broken test file of a git repository at a commit.

    python bench/repair.py REPO [--sample N] [--seed S] [--exclude GLOB ...] [--jobs J]

REPO must be a git work tree checked out at the commit to measure (its history is what the
history method reads). For each broken test file (`test_*.py` / `*_test.py`, outside the
excluded folders), both methods run in memory (nothing is written): history mode, then local
mode with history hidden. Each result is compared with the newest earlier version that
compiled: compiles, test names preserved (all/some/none), AST-equal to that version, lines
changed vs lines the damage changed, seconds. Prints the rates and a per-method table.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import random
import statistics
import sys
import time
from pathlib import Path

from broken_files import EXCLUDED, broken_test_files, map_over_tree

from testcanon.analysis.inventory import missing, names_in_broken
from testcanon.repair import history
from testcanon.repair.by_history import repair_with_history
from testcanon.repair.history import author_reference, find_breaking, history_expected
from testcanon.repair.judge import judge
from testcanon.repair.local import repair_local
from testcanon.repair.verify import changed_line_count, decode
from testcanon.syntax import check_source
from testcanon.syntax.version import is_version_specific
from testcanon.vcs.graph import history_env


def measure(root: Path, relpath: str, unmended: bool = False) -> dict:
    current = (root / relpath).read_bytes()
    expected = names_in_broken(decode(current))
    found = find_breaking(root, relpath)
    good = found[1] if found else None
    reference = author_reference(root, relpath, found[0], good) if found else None
    # what `canon fix` does in history mode: names history shows nested in a function or in a string
    # are not tests
    by_history = history_expected(root, relpath, expected)
    row: dict = {"path": relpath, "tests": len(expected), "has_good": good is not None,
                 "nested_helpers": len(expected) - len(by_history),
                 "version_specific": is_version_specific(check_source(current), decode(current)),
                 "damage_lines": changed_line_count(good, current) if good else None,
                 "restore_keeps_all": None}
    if good is not None:
        row["restore_keeps_all"] = not missing(expected, ast.parse(good))
    if row["version_specific"]:  # what `canon fix --rewrite-version-specific` makes of it
        row["rewritten"] = (repair_local(current, rewrite_version_specific=True, expected=expected).fixed
                            is not None)
    for method in ("history", "local"):
        started = time.perf_counter()
        tests = by_history if method == "history" else expected
        if method == "history":
            result = repair_with_history(root, relpath, current, tests)
        else:
            result = repair_local(current, expected=tests)
        fixed = result.fixed
        seconds = time.perf_counter() - started
        compiles = fixed is not None and check_source(fixed) is None
        lost = missing(tests, ast.parse(fixed)) if compiles else tests
        preserved = "all" if not lost else ("some" if lost != tests else "none")
        row[method] = {
            "compiles": compiles, "preserved": preserved if compiles else "none", "seconds": seconds,
            "ast_equal": bool(compiles and good is not None and check_source(good) is None
                              and ast.dump(ast.parse(fixed)) == ast.dump(ast.parse(good))),
            "changed_lines": changed_line_count(current, fixed) if fixed else None,
            "reason": result.reason,
            # the repair audited against the author's last good code (whether or not fix judged it)
            "audit": {r.kind: r.count for r in judge(fixed, reference)} if compiles and reference else {},
        }
    if unmended and not row["local"]["compiles"] and not row["version_specific"]:
        # how far local mode is from a repair: every definition no edit mends, not just the first
        names: list[str] = []
        repair_local(current, expected=expected, unmended=names)
        row["local"]["unmended"] = len(names)
    if not row["history"]["compiles"]:  # what `canon fix --rewrite-version-specific` adds
        rewritten = repair_with_history(root, relpath, current, expected, rewrite_version_specific=True).fixed
        if rewritten is None:
            rewritten = repair_local(current, expected=expected, rewrite_version_specific=True).fixed
        row["fixed_with_rewrite"] = rewritten is not None
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exclude", action="append", default=list(EXCLUDED))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rows", type=Path, help="also write every per-file row as JSON here")
    parser.add_argument("--no-judge", action="store_true",
                        help="repair without judging candidates against the author's code (the audit still "
                             "runs): what the judgement changes")
    parser.add_argument("--unmended", action="store_true",
                        help="for each file local mode leaves, count every definition no edit mends (slower)")
    args = parser.parse_args()
    root = args.repo.resolve()
    if args.no_judge:  # before the worker processes fork
        history.author_reference = lambda *_: None  # type: ignore[assignment]
    broken = broken_test_files(root, args.exclude)
    if args.sample and args.sample < len(broken):
        broken = sorted(random.Random(args.seed).sample(broken, args.sample))
    history_env(root)  # what `canon fix` does once before its workers: the commit-graph they read
    started = time.perf_counter()
    rows = map_over_tree(functools.partial(measure, unmended=args.unmended), root, broken, args.jobs)
    wall = time.perf_counter() - started
    if args.rows:
        args.rows.write_text(json.dumps(rows, indent=1))
    n = len(rows)
    print(f"broken test files measured: {n} (of the commit's broken test files outside {args.exclude}); "
          f"wall {wall:.1f}s with {args.jobs} processes")
    with_good = [r for r in rows if r["has_good"]]
    keeps = sum(1 for r in with_good if r["restore_keeps_all"])
    newer = sum(1 for r in rows if r["version_specific"])
    print(f"valid on Python 3.12+ (PEP 701 f-strings; `canon fix` reports them as version-specific and "
          f"rewrites them only on request, counted below as not repaired): {newer}; rewritten for this "
          f"interpreter with --rewrite-version-specific: {sum(1 for r in rows if r.get('rewritten'))}")
    print(f"files with an earlier compiling version: {len(with_good)}; restoring it keeps every test name in "
          f"{keeps} ({100 * keeps / max(len(with_good), 1):.0f}%)")
    nested = [r["nested_helpers"] for r in rows if r["nested_helpers"]]
    print("test-like names that the versions which compiled define only nested in a function or inside a "
          "string (never collected; the damage flattened or unquoted them into view, so history mode does "
          f"not count them as tests): {sum(nested)} in {len(nested)} files\n")
    print("| method | compiles | every test kept | some kept | none kept | AST = last good | median s/file | "
          "median lines changed | median damage lines |")
    print("|---|---|---|---|---|---|---|---|---|")
    for method in ("history", "local"):
        results = [r[method] for r in rows]
        compiles = sum(1 for r in results if r["compiles"])
        all_kept = sum(1 for r in results if r["compiles"] and r["preserved"] == "all")
        some = sum(1 for r in results if r["compiles"] and r["preserved"] == "some")
        none = n - all_kept - some
        equal = sum(1 for r in results if r["ast_equal"])
        seconds = statistics.median(r["seconds"] for r in results) if results else 0
        changed = [r["changed_lines"] for r in results if r["changed_lines"] is not None]
        damage = [r["damage_lines"] for r in rows if r["damage_lines"] is not None]
        print(f"| {method} | {compiles} ({100 * compiles / max(n, 1):.1f}%) | {all_kept} "
              f"({100 * all_kept / max(n, 1):.1f}%) | {some} | {none} | {equal} | {seconds:.3f} | "
              f"{statistics.median(changed) if changed else '—'} | "
              f"{statistics.median(damage) if damage else '—'} |")
    combined = sum(1 for r in rows if (r["history"]["compiles"] and r["history"]["preserved"] == "all")
                   or (r["local"]["compiles"] and r["local"]["preserved"] == "all"))
    print(f"\nauto (history, then local): {combined}/{n} ({100 * combined / max(n, 1):.1f}%) "
          "compile with every test kept")
    rewritten = sum(1 for r in rows if r.get("fixed_with_rewrite") and not r["local"]["compiles"])
    print(f"auto with --rewrite-version-specific (Python 3.12 f-strings rewritten for this interpreter): "
          f"{combined + rewritten}/{n} ({100 * (combined + rewritten) / max(n, 1):.1f}%)")
    lost = sum(1 for r in rows for method in ("history", "local")
               if r[method]["compiles"] and r[method]["preserved"] != "all")
    print(f"results that compile but lost a test (must be 0: verify rejects them before writing): {lost}")
    kinds = ("fewer-tests", "undefined-names", "fewer-assertions", "tombstone", "placeholder")
    print("\nrepairs audited against the author's last good code (history mode; files "
          "with it / total amount):\n")
    print("| method | audited | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for method in ("history", "local"):
        audits = [r[method]["audit"] for r in rows if r[method]["compiles"] and r["has_good"]]
        cells = [f"{sum(1 for a in audits if a.get(k))} / {sum(a.get(k, 0) for a in audits)}" for k in kinds]
        print(f"| {method} | {len(audits)} | " + " | ".join(cells) + " |")
    counts = sorted(r["local"]["unmended"] for r in rows if "unmended" in r["local"])
    if counts:
        print(f"local mode, definitions no edit mends in each file it leaves ({len(counts)} files, "
              f"version-specific ones aside): median {statistics.median(counts):g}, quartiles "
              f"{counts[len(counts) // 4]}-{counts[3 * len(counts) // 4]}, max {counts[-1]}; files with at "
              f"most 1: {sum(1 for c in counts if c <= 1)}, at most 2: {sum(1 for c in counts if c <= 2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
