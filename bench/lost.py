"""Lost tests on a real repository: found per kind, resurrectable, resurrected, verified.

    python bench/lost.py REPO [--exclude REGEX] [--clean BED ...] [--collect] [--python PY] [--since REF]

REPO is a git work tree checked out at the commit to measure (its history is what resurrection
reads). Every tracked `.py` file that compiles, outside the excluded folders (default: any path
with `backup` or `archive`), is read for lost tests (CANON701/702/703, the project's pytest
naming). The peer is the line count the issue's figure came from: comment lines matching
`# [MARK:] [async] def test*` / `class Test*` (no parsing, no notion of ownership or liveness).
For each file with commented-out tests, resurrection is planned from history in memory (nothing
is written) and verified: compiles, test ids = today's + resurrected, none lost. `--collect`
also asks real pytest (PY, default this interpreter) to collect today's file and the merged one
(a sibling copy, removed), counting a merged file that collects, or fails exactly as today's
does (missing dependencies of the repository), as collecting. `--clean` beds are repositories
without such damage: every finding there is printed for labelling. `--since REF` also builds
the ledger (tests lost since REF, each with the commit that lost it) and prints its size, the
commits that lost the most tests and the time it took.
"""

from __future__ import annotations

import argparse
import ast
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from testcanon.config.schema import NEEDS_FIX_REASONS
from testcanon.repair.resurrect import history_versions, resurrect_text, verify_resurrection
from testcanon.rules.lost.naming import _read_naming
from testcanon.rules.lost.rules import lost_in_text
from testcanon.rules.lost.tombstones import live_test_ids
from testcanon.syntax import check_source
from testcanon.vcs.graph import history_env

PEER = re.compile(r"^\s*#+\s*(?:[A-Z_]+:\s*)?(?:async\s+def\s+test\w*|def\s+test\w*|class\s+Test\w*)")


def tracked(root: Path, exclude: re.Pattern[str]) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "*.py"], cwd=root, capture_output=True, text=True).stdout
    return [f for f in out.split("\0") if f and not exclude.search(f)]


def collects(python: str, root: Path, path: Path) -> tuple[bool, str]:
    done = subprocess.run([python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-o",
                           "addopts=", str(path)], cwd=root, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stdout.splitlines() if line.startswith("E ")]
    return done.returncode in (0, 5), (errors[-1] if errors else "")


def measure(root: Path, exclude: re.Pattern[str], collect: bool, python: str) -> None:
    naming = _read_naming(root)
    history_env(root)
    kinds = {"commented-out": 0, "placeholder": 0, "needs-fix": 0}
    peer = peer_files = files_with = 0
    planned = resurrectable = resurrected = extra = verified_files = compiling = lost_by_us = 0
    collected_after = collect_checked = 0
    seconds: list[float] = []
    for relpath in tracked(root, exclude):
        try:
            data = (root / relpath).read_bytes()
        except OSError:
            continue
        if check_source(data) is not None:
            continue
        text = data.decode("utf-8", "replace")
        matches = sum(1 for line in text.splitlines() if PEER.match(line))
        peer += matches
        peer_files += bool(matches)
        started = time.perf_counter()
        loss = lost_in_text(text, naming=naming, needs_fix=NEEDS_FIX_REASONS)
        if loss is None:
            continue
        kinds["commented-out"] += len(loss.commented)
        for skipped in loss.skipped:
            kinds[skipped.kind] += 1
        if not loss.commented:
            continue
        files_with += 1
        lost = {t.test_id for t in loss.commented}
        versions = history_versions(root, relpath, lost, naming=naming)
        plan = resurrect_text(relpath, data, versions, naming=naming)
        planned += len(lost)
        resurrectable += sum(1 for r in plan.restored if r.test_id in lost)
        why = verify_resurrection(plan, naming=naming) if plan.fixed is not None else "nothing"
        seconds.append(time.perf_counter() - started)
        if why is not None:
            print(f"  not resurrected: {relpath}: {why[:140]}", file=sys.stderr)
            continue
        verified_files += 1
        resurrected += sum(1 for r in plan.restored if r.test_id in lost)
        extra += sum(1 for r in plan.restored if r.test_id not in lost)
        compiling += check_source(plan.fixed) is None  # type: ignore[arg-type]
        before = live_test_ids(ast.parse(data), naming) - set(plan.placeholders_removed)
        lost_by_us += len(before - live_test_ids(ast.parse(plan.fixed), naming))  # type: ignore[arg-type]
        if collect:
            collect_checked += 1
            target = root / relpath
            ok_before, error_before = collects(python, root, target)
            with tempfile.NamedTemporaryFile("wb", suffix=".py", prefix=f"_bench_{target.stem}_", dir=target.parent,
                                             delete=False) as handle:
                handle.write(plan.fixed)  # type: ignore[arg-type]
            try:
                ok_after, error_after = collects(python, root, Path(handle.name))
            finally:
                Path(handle.name).unlink()
            collected_after += ok_after or (not ok_before and error_after == error_before)

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.1f}%" if b else "-"

    print(f"\nlost tests in {root} (compiling tracked files, excluding /{exclude.pattern}/)")
    print(f"{'measure':<52}{'value':>10}")
    print(f"{'peer: commented def test*/class Test* lines':<52}{peer:>10}   in {peer_files} files")
    print(f"{'CANON701 commented-out tests found':<52}{kinds['commented-out']:>10}   in {files_with} files "
          f"({pct(kinds['commented-out'], peer)} of peer)")
    print(f"{'CANON702 placeholder tests':<52}{kinds['placeholder']:>10}")
    print(f"{'CANON703 skipped until fixed':<52}{kinds['needs-fix']:>10}")
    print(f"{'resurrectable (history or parsable comment)':<52}{resurrectable:>10}   {pct(resurrectable, planned)}")
    print(f"{'resurrected (verified files)':<52}{resurrected:>10}   {pct(resurrected, planned)} of found, "
          f"{pct(resurrected, peer)} of peer")
    print(f"{'  + tests of restored classes the comments lacked':<52}{extra:>10}")
    print(f"{'files verified / with commented-out tests':<52}{verified_files:>10}   of {files_with}")
    print(f"{'resurrected files compiling':<52}{compiling:>10}   of {verified_files}")
    if collect:
        print(f"{'resurrected files collecting (pytest)':<52}{collected_after:>10}   of {collect_checked}")
    print(f"{'tests lost by the resurrection itself':<52}{lost_by_us:>10}")
    if seconds:
        print(f"{'seconds per file: median / max':<52}{statistics.median(seconds):>10.3f}   / {max(seconds):.3f}")


def clean(bed: Path) -> None:
    naming = _read_naming(bed)
    findings = 0
    for relpath in tracked(bed, re.compile(r"^$")):
        name = relpath.rsplit("/", 1)[-1]
        if not (name.startswith("test_") or name.endswith("_test.py")):
            continue
        loss = lost_in_text((bed / relpath).read_bytes().decode("utf-8", "replace"), naming=naming,
                            needs_fix=NEEDS_FIX_REASONS)
        for item in [*(loss.commented if loss else ()), *(loss.skipped if loss else ())]:
            findings += 1
            kind = getattr(item, "kind", "")
            print(f"  {bed.name}: {relpath}:{item.line} {kind} {item.test_id} {getattr(item, 'reason', '')!r}")
    print(f"{bed.name}: {findings} finding(s)")


def since(root: Path, ref: str, exclude: re.Pattern[str]) -> None:
    from collections import Counter

    from testcanon.analysis import is_test_file
    from testcanon.rules.lost.ledger import build_ledger

    started = time.perf_counter()
    ledger = build_ledger(root, ref, is_test_path=lambda p: is_test_file(p) and not exclude.search(p),
                          naming=_read_naming(root))
    print(f"\nledger since {ref} ({ledger.ref_commit[:10]}, {ledger.ref_date}): {ledger.live_then} tests live then, "
          f"{len(ledger.entries)} lost, {time.perf_counter() - started:.1f} s")
    for (commit, subject), count in Counter((e.commit[:10], e.subject) for e in ledger.entries).most_common(5):
        print(f"  {count:>5}  {commit or '(working tree)'} {subject[:80]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--exclude", default=r"(?i)backup|archive")
    parser.add_argument("--clean", type=Path, nargs="*", default=[])
    parser.add_argument("--collect", action="store_true")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--since", default=None)
    parser.add_argument("--no-measure", action="store_true", help="only the ledger and the clean beds")
    args = parser.parse_args()
    if not args.no_measure:
        measure(args.repo.resolve(), re.compile(args.exclude), args.collect, args.python)
    if args.since:
        since(args.repo.resolve(), args.since, re.compile(args.exclude))
    for bed in args.clean:
        clean(bed.resolve())


if __name__ == "__main__":
    main()
