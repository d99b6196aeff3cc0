"""Lost tests on a real repository: found per kind, resurrectable, resurrected, verified.

    python bench/lost.py REPO [--exclude REGEX] [--clean BED ...] [--collect] [--python PY] [--since REF]

REPO is a git work tree checked out at the commit to measure (its history is what resurrection
reads). Every tracked `.py` file that compiles, outside the excluded folders (default: any path
with `backup` or `archive`), is read for lost tests (CANON701/702/703, the project's pytest
naming). The peer is the line count the issue's figure came from: comment lines matching
`# [MARK:] [async] def test*` / `class Test*` (no parsing, no notion of ownership or liveness).
For each file with commented-out tests, resurrection is planned from history in memory (nothing
is written) and verified: compiles, test ids = today's + resurrected, none lost. A file whose
tests a placeholder replaced without comments (CANON702, no CANON701) is planned the same way,
its lost ids read from history (`replaced_by_placeholder`). `--collect`
also asks real pytest (PY, default this interpreter) to collect today's file and the merged one
(in one isolated copy of REPO, `migrate.isolation`: nothing is written into REPO), counting a
merged file that collects, or fails exactly as today's
does (missing dependencies of the repository), as collecting. `--clean` beds are repositories
without such damage: every finding there is printed for labelling. `--since REF` also builds
the ledger (tests lost since REF, each with the commit that lost it) and prints its size, the
commits that lost the most tests and the time it took.

The truth the "found" share is measured against is the peer's lines, each labelled by a rule of
its own (no parsing, independent of CANON701): a commented `class Test*` whose commented body
defines `__init__` and no `def test*` is a helper named like a test class (the corpus's fake
`TestWebSocketConnection` with `send_json`/`close`; pytest refuses to collect such a class, and it
holds no test), so it is not a lost test and leaves the truth; every other peer line is one. A
truth line is found when CANON701 names a test of that name in that file.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from testcanon.config.schema import NEEDS_FIX_REASONS
from testcanon.migrate import isolation
from testcanon.repair.resurrect import (
    resurrect_text,
    verify_resurrection,
)
from testcanon.repair.resurrect_history import history_versions, replaced_by_placeholder
from testcanon.rules.lost.naming import naming_at
from testcanon.rules.lost.rules import lost_in_text
from testcanon.rules.lost.tombstones import live_test_ids
from testcanon.syntax import check_source
from testcanon.vcs.graph import history_env

PEER = re.compile(r"^\s*#+\s*(?:[A-Z_]+:\s*)?(?:async\s+def\s+test\w*|def\s+test\w*|class\s+Test\w*)")
_PEER_NAME = re.compile(r"(?:def|class)\s+(\w+)")
_COMMENTED_DEF = re.compile(r"^\s*#+\s*(?:[A-Z_]+:\s*)?(?:async\s+)?(def|class)\s+(\w+)")


def truth_lines(lines: list[str]) -> tuple[list[tuple[int, str]], int]:
    """(the peer lines that are lost tests, as (0-based line, name)), and how many peer lines are
    helper classes named like tests (`class Test*` whose commented body has `__init__` and no test)."""
    truth: list[tuple[int, str]] = []
    helpers = 0
    for index, line in enumerate(lines):
        if not PEER.match(line):
            continue
        name = _PEER_NAME.search(line).group(1)  # type: ignore[union-attr]
        if "class" in line.split(name)[0]:
            members = []
            for below in lines[index + 1:]:
                if below.strip() and not below.lstrip().startswith("#"):
                    break  # live code ends the commented block
                match = _COMMENTED_DEF.match(below)
                if match and match.group(1) == "class":
                    break
                if match:
                    members.append(match.group(2))
            if "__init__" in members and not any(m.startswith("test") for m in members):
                helpers += 1
                continue
        truth.append((index, name))
    return truth, helpers


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the git processes it ran)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def tracked(root: Path, exclude: re.Pattern[str]) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "*.py"], cwd=root, capture_output=True, text=True).stdout
    return [f for f in out.split("\0") if f and not exclude.search(f)]


def collects(python: str, root: Path, path: str, env: dict[str, str]) -> tuple[bool, str]:
    done = subprocess.run([python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-o",
                           "addopts=", path], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stdout.splitlines() if line.startswith("E ")]
    return done.returncode in (0, 5), (errors[-1] if errors else "")


class _Excluded:
    """The bench's `--exclude` regex where the copy asks a glob set (folders it does not copy)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def match(self, relpath: str) -> bool:
        return self.pattern.search(relpath) is not None


def collect_in_copy(root: Path, merged: list[tuple[str, bytes]], python: str,
                    exclude: re.Pattern[str]) -> tuple[int, int]:
    """(files checked, files whose merged version collects or fails exactly as today's does), asked
    of real pytest in an isolated copy of the repository (nothing is written into it)."""
    checked = ok = 0
    with tempfile.TemporaryDirectory(prefix="bench-lost-") as scratch:
        copy = Path(scratch) / "tree"
        isolation.isolated_copy(root, copy, _Excluded(exclude))  # type: ignore[arg-type]
        env = isolation.child_env(copy)
        for relpath, fixed in merged:
            original = (copy / relpath).read_bytes()
            ok_before, error_before = collects(python, copy, relpath, env)
            isolation.put(copy / relpath, fixed)
            try:
                ok_after, error_after = collects(python, copy, relpath, env)
            finally:
                isolation.put(copy / relpath, original)
            checked += 1
            ok += ok_after or (not ok_before and error_after == error_before)
    return checked, ok


def measure(root: Path, exclude: re.Pattern[str], collect: bool, python: str) -> None:
    naming = naming_at(root)
    history_env(root)
    kinds = {"commented-out": 0, "placeholder": 0, "needs-fix": 0}
    peer = peer_files = files_with = truth = helpers = found_truth = 0
    planned = resurrectable = resurrected = extra = verified_files = compiling = lost_by_us = 0
    placeholder_files = placeholder_lost = placeholder_resurrected = placeholder_verified = 0
    collected_after = collect_checked = 0
    seconds: list[float] = []
    cpu: list[float] = []  # this process's and its git children's CPU: what the wall time is under no load
    merged: list[tuple[str, bytes]] = []  # (path, merged file) for --collect
    for relpath in tracked(root, exclude):
        try:
            data = (root / relpath).read_bytes()
        except OSError:
            continue
        if check_source(data) is not None:
            continue
        text = data.decode("utf-8", "replace")
        lines = text.splitlines()
        matches = sum(1 for line in lines if PEER.match(line))
        peer += matches
        peer_files += bool(matches)
        labelled, helper_count = truth_lines(lines) if matches else ([], 0)
        truth += len(labelled)
        helpers += helper_count
        started, cpu_started = time.perf_counter(), _cpu()
        loss = lost_in_text(text, naming=naming, needs_fix=NEEDS_FIX_REASONS)
        if loss is None:
            continue
        names = {t.test_id.rsplit("::", 1)[-1] for t in loss.commented}
        found_truth += sum(1 for _, name in labelled if name in names)
        kinds["commented-out"] += len(loss.commented)
        for skipped in loss.skipped:
            kinds[skipped.kind] += 1
        replaced: list[str] = []
        if not loss.commented:
            if not any(s.kind == "placeholder" for s in loss.skipped):
                continue
            replaced = replaced_by_placeholder(root, relpath, ast.parse(data), naming=naming)
            if not replaced:
                continue
            placeholder_files += 1
            placeholder_lost += len(replaced)
        else:
            files_with += 1
        lost = {t.test_id for t in loss.commented} | set(replaced)
        versions = history_versions(root, relpath, lost, naming=naming)
        plan = resurrect_text(relpath, data, versions, naming=naming, replaced=replaced,
                              commented=loss.commented)
        why = verify_resurrection(plan, naming=naming) if plan.fixed is not None else "nothing"
        seconds.append(time.perf_counter() - started)
        cpu.append(_cpu() - cpu_started)
        if why is not None:
            print(f"  not resurrected: {relpath}: {why[:140]}", file=sys.stderr)
            if not replaced:
                planned += len(lost)
                resurrectable += sum(1 for r in plan.restored if r.test_id in lost)
            continue
        if replaced:
            placeholder_verified += 1
            placeholder_resurrected += sum(1 for r in plan.restored if r.test_id in lost)
        else:
            planned += len(lost)
            resurrectable += sum(1 for r in plan.restored if r.test_id in lost)
            verified_files += 1
            resurrected += sum(1 for r in plan.restored if r.test_id in lost)
            extra += sum(1 for r in plan.restored if r.test_id not in lost)
        compiling += check_source(plan.fixed) is None  # type: ignore[arg-type]
        after = live_test_ids(ast.parse(plan.fixed), naming)  # type: ignore[arg-type]
        removed = set(plan.placeholders_removed)  # a placeholder, and its class when nothing else was in it
        before = (live_test_ids(ast.parse(data), naming) - removed
                  - ({p.split("::")[0] for p in removed} - after))
        lost_by_us += len(before - after)
        merged.append((relpath, plan.fixed))  # type: ignore[arg-type]
    if collect and merged:
        collect_checked, collected_after = collect_in_copy(root, merged, python, exclude)

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.1f}%" if b else "-"

    print(f"\nlost tests in {root} (compiling tracked files, excluding /{exclude.pattern}/)")
    print(f"{'measure':<52}{'value':>10}")
    print(f"{'peer: commented def test*/class Test* lines':<52}{peer:>10}   in {peer_files} files")
    print(f"{'  of which helper classes named Test* (__init__)':<52}{helpers:>10}   "
          "not tests: out of the truth")
    print(f"{'truth: commented-out tests (peer less helpers)':<52}{truth:>10}")
    print(f"{'truth found by CANON701':<52}{found_truth:>10}   {pct(found_truth, truth)}")
    print(f"{'CANON701 commented-out tests found':<52}{kinds['commented-out']:>10}   in {files_with} files "
          f"({pct(kinds['commented-out'], peer)} of peer)")
    print(f"{'CANON702 placeholder tests':<52}{kinds['placeholder']:>10}")
    print(f"{'CANON703 skipped until fixed':<52}{kinds['needs-fix']:>10}")
    print(f"{'resurrectable (history or parsable comment)':<52}{resurrectable:>10}   "
          f"{pct(resurrectable, planned)}")
    print(f"{'resurrected (verified files)':<52}{resurrected:>10}   {pct(resurrected, planned)} of found, "
          f"{pct(resurrected, peer)} of peer")
    print(f"{'  + tests of restored classes the comments lacked':<52}{extra:>10}")
    print(f"{'files verified / with commented-out tests':<52}{verified_files:>10}   of {files_with}")
    print(f"{'placeholder-only files (tests lost, no comment)':<52}{placeholder_files:>10}   "
          f"{placeholder_lost} tests")
    print(f"{'  resurrected from history (verified files)':<52}{placeholder_resurrected:>10}   "
          f"in {placeholder_verified} files")
    print(f"{'resurrected files compiling':<52}{compiling:>10}   of {verified_files + placeholder_verified}")
    if collect:
        print(f"{'resurrected files collecting (pytest, isolated copy)':<52}{collected_after:>10}   "
              f"of {collect_checked}")
    print(f"{'tests lost by the resurrection itself':<52}{lost_by_us:>10}")
    if seconds:
        print(f"{'seconds per file: median / max':<52}{statistics.median(seconds):>10.3f}   / "
              f"{max(seconds):.3f}")
        print(f"{'CPU seconds per file (with git): median / max':<52}{statistics.median(cpu):>10.3f}   "
              f"/ {max(cpu):.3f}   (load average {os.getloadavg()[0]:.1f})")


def clean(bed: Path) -> None:
    naming = naming_at(bed)
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
            print(f"  {bed.name}: {relpath}:{item.line} {kind} {item.test_id} "
                  f"{getattr(item, 'reason', '')!r}")
    print(f"{bed.name}: {findings} finding(s)")


def since(root: Path, ref: str, exclude: re.Pattern[str]) -> None:
    from collections import Counter

    from testcanon.analysis import is_test_file
    from testcanon.rules.lost.ledger import build_ledger

    started = time.perf_counter()
    ledger = build_ledger(root, ref, is_test_path=lambda p: is_test_file(p) and not exclude.search(p),
                          naming=naming_at(root))
    print(f"\nledger since {ref} ({ledger.ref_commit[:10]}, {ledger.ref_date}): {ledger.live_then} tests "
          f"live then, {len(ledger.entries)} lost, {time.perf_counter() - started:.1f} s")
    for (commit, subject), count in Counter((e.commit[:10], e.subject)
                                            for e in ledger.entries).most_common(5):
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
