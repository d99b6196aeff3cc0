"""Proving a migration before it is written, at the strongest level available.

- `outcomes`: the tests the changes can affect (the changed test files; for infrastructure, the
  test files it reaches through the import graph) run in the target environment, in an isolated
  copy, before (twice: a test whose outcome differs between those two runs is flaky, reported
  and not counted) and after the change. Every test must keep its outcome; a change under which
  one does not is not written, and the tests that changed are named.
- `collected`: the same files' collected test ids, before and after (`verify.collected_ids`).
- `static`: the change compiles and keeps every test name (`verify.check_change`).

Each file gets the strongest level that says something about it: `outcomes` only when a test
it affects actually ran (an outcome of tests that all error or skip before proves little);
`collected` when tests were collected; else `static`. When the tests cannot run at all (timed
out, pytest died), verification falls back to collecting, and the report says why.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from testcanon.analysis import facts_for, reached
from testcanon.config import Project
from testcanon.migrate import environ_tolerance, isolation, outcomes
from testcanon.migrate import verify as verify_ids
from testcanon.migrate.common import FileChange
from testcanon.migrate.environ_tolerance import environ_written
from testcanon.migrate.sandbox import Sandbox, sandbox
from testcanon.rules.context import RuleContext
from testcanon.source import GlobSet, discover
from testcanon.syntax import scan
from testcanon.target import TargetPython, resolve_python

if TYPE_CHECKING:
    from testcanon.migrate.run import MigrationReport

_log = logging.getLogger(__name__)

LEVELS = ("outcomes", "collect", "static")
PROOF = {"outcomes": "outcomes", "collect": "collected", "static": "static"}  # level asked -> proof named


def verify(project: Project, report: MigrationReport, *, level: str = "outcomes",
           python: TargetPython | None = None, check: Callable[[FileChange], None]) -> MigrationReport:
    """Drop every change that is not proven at the level asked (or the strongest one possible)."""
    for change in report.changes:
        if change.path.endswith(".py") and change.static_verdict is None:  # not made by `plan`
            check(change)
        if change.problem is not None:
            report.rejected[change.path] = change.problem
    python_changes = [c for c in report.changes if c.path.endswith(".py") and c.path not in report.rejected]
    report.verify_level = level
    if python_changes and level != "static":
        target = python or resolve_python(project.root, config=project.config.python)
        target.require_pytest()
        report.target = target.to_json()
        _run(project, report, python_changes, level, target)
    for change in python_changes:
        if change.path in report.rejected or change.path in report.proof:
            continue
        ok, reason = change.static_verdict or (True, "")
        if not ok:
            report.rejected[change.path] = reason
            continue
        report.proof[change.path] = "static"
    commands = [c for c in report.changes if "CANON202" in c.codes and not c.path.endswith(".py")
                and c.path not in report.rejected]
    if commands and level != "static":
        from testcanon.migrate.command_proof import prove_command_changes

        target = python or resolve_python(project.root, config=project.config.python)
        if target.pytest_version is not None:
            prove_command_changes(project, commands, target, timeout=project.config.migrate.collect_timeout,
                                  rejected=report.rejected, proof=report.proof, skipped=report.skipped)
    for change in report.changes:
        if not change.path.endswith(".py") and change.path not in report.rejected:
            report.proof.setdefault(change.path, "static")  # shell, Makefile, CI lines: read, never run
    report.verified_by_outcomes = sum(1 for p in report.proof.values() if p == "outcomes")
    report.verified_by_collection = sum(1 for p in report.proof.values() if p == "collected")
    report.verified_statically = sum(1 for path, p in report.proof.items()
                                     if p == "static" and path.endswith(".py"))
    report.changes = [c for c in report.changes if c.path not in report.rejected]
    for path in list(report.proof):
        if path in report.rejected:
            del report.proof[path]
    return report


def _run(project: Project, report: MigrationReport, changes: list[FileChange], level: str,
         target: TargetPython) -> None:
    ctx = RuleContext(project, {})
    reach = _reach(project, ctx, changes)
    tests = sorted({test for reached_tests in reach.values() for test in reached_tests})
    imported = isolation.imported_names([data for c in changes for data in (c.before, c.after)])
    with sandbox(project, target, imported) as box:
        report.copy = box.stats.to_json()
        if level == "outcomes":
            fallback = _by_outcomes(project, report, changes, reach, tests, box)
            if fallback is None:
                return
            report.verify_fallback = fallback
        _by_collection(project, report, changes, reach, tests, box, ctx)


def _reach(project: Project, ctx: RuleContext, changes: list[FileChange]) -> dict[str, set[str]]:
    """changed file -> the test files it can affect (itself for a test file; for infrastructure
    the test files it reaches through imports or a conftest)."""
    reach = {c.path: {c.path} for c in changes if ctx.is_test_file(c.path)}
    infra = [c.path for c in changes if c.path not in reach]
    if not infra:
        return reach
    sources = discover(project)
    broken = {f.path for f in scan(project, sources).findings}
    facts = facts_for(project, [f for f in sources if f.relpath not in broken],  # cached by `canon check`
                      GlobSet(project.config.check.infra))
    files = [f.relpath for f in sources]
    for path in infra:
        reach[path] = {test for test in reached(facts, [path], files)
                       if ctx.is_test_file(test) and test not in broken}
    return reach


def _by_outcomes(project: Project, report: MigrationReport, changes: list[FileChange],
                 reach: dict[str, set[str]], tests: list[str], box: Sandbox) -> str | None:
    """Verify by outcomes; the reason it could not (then collection decides), or None."""
    timeout = project.config.migrate.test_timeout

    def run() -> outcomes.TestRun:
        _log.info("running the tests of %d file(s)", len(tests))
        done = box.run(tests, timeout)
        report.test_seconds += done.seconds
        return done

    first = run()
    if first.failure is not None:
        return first.failure
    second = run()
    if second.failure is not None:
        return second.failure
    flaky = outcomes.flaky(first, second)
    report.flaky = sorted(flaky)
    pending = list(changes)
    untried: set[str] = set()  # changes put back in another form that has not run yet
    for _ in range(4):  # dropping one file's change can matter to another's: run again
        if not pending:
            break
        for change in pending:
            box.put(change.path, change.after)
        ran = run()
        untried.clear()
        if ran.failure is not None:  # the tests ran before: the changes broke the run as a whole
            for change in pending:
                report.rejected[change.path] = f"the test run failed after the change: {ran.failure}"
            return None
        differing = {test: moved for test, moved in outcomes.changed_outcomes(first, ran).items()
                     if test not in flaky}
        if not differing:
            break
        rejected = _blame(pending, reach, differing)
        for change in list(rejected):
            mine = sorted(test for test in differing if test.split("::", 1)[0] in reach[change.path])
            if _tolerate_environ_writes(change, {test: differing[test] for test in mine}, ran):
                rejected.remove(change)  # tried again, in the form that warns
                untried.add(change.path)
                continue
            report.outcome_changes[change.path] = [(test, *differing[test]) for test in mine]
            said = "; ".join(f"{test} {old} -> {new}" for test, (old, new) in
                             ((t, differing[t]) for t in mine[:3]))
            more = f" (and {len(mine) - 3} more)" if len(mine) > 3 else ""
            why = next((ran.messages[t] for t in mine if t in ran.messages), "")
            report.rejected[change.path] = f"test outcomes would change: {said}{more}" + (
                f" (first error: {why})" if why else "")
            box.put(change.path, change.before)
        pending = [c for c in pending if c not in rejected]
    for change in pending:
        if change.path in untried:  # its last form never ran: not proven
            report.rejected[change.path] = ("its re-base was changed to tolerate os.environ writes too late "
                                            "to run again")
    for change in changes:
        if change.path in report.rejected:
            continue
        affected = [test for test in first.outcomes if test.split("::", 1)[0] in reach[change.path]]
        if any(first.outcomes[test] in outcomes.RAN for test in affected if test not in flaky):
            report.proof[change.path] = "outcomes"
        elif affected:
            report.proof[change.path] = "collected"  # collected and compared, but no test body ran
    return None


def _tolerate_environ_writes(change: FileChange, worse: dict[str, tuple[str, str]],
                             ran: outcomes.TestRun) -> bool:
    """Whether `change` (a re-base) was put back in its form that warns instead of failing, because
    every test it made worse fails only on the code under test writing os.environ. Once: in that
    form every re-based class already has the setting, so `tolerate` has nothing left to change."""
    if not change.rebased or not worse:
        return False
    written = environ_written(ran.messages.get(test) for test in worse)
    if written is None:
        return False
    tolerant = environ_tolerance.tolerate(change.after, change.rebased, written)
    if tolerant is None:
        return False
    test, (old, new) = next(iter(sorted(worse.items())))
    change.notes.append(f"{environ_tolerance.SETTING} = \"warn\" on {', '.join(change.rebased)}: the code "
                        f"under test writes os.environ ({', '.join(written)}), so under the failing check "
                        f"{test} went {old} -> {new}; the variables are restored after each test")
    change.rewrite(tolerant)
    return True


_ROUNDS = 5  # rounds of collecting after the changes and rejecting what differs


def _carried(previous: verify_ids.Collection, fresh: verify_ids.Collection,
             scope: list[str]) -> verify_ids.Collection:
    """This round's collection: `fresh` for the files collected again (`scope`), the round
    before's for every other file."""
    again = set(scope)
    ids = {path: found for path, found in previous.ids.items() if path not in again} | fresh.ids
    return verify_ids.Collection(ids, {p for p in previous.errors if p not in again} | fresh.errors,
                                 defaults=fresh.defaults,
                                 unknown={p for p in previous.unknown if p not in again} | fresh.unknown)


def _blame(pending: list[FileChange], reach: dict[str, set[str]],
           differing: dict[str, tuple[str, str]]) -> list[FileChange]:
    """The changes to drop for these differing tests: a changed test file's own change first,
    else every infrastructure change that reaches a differing test's file."""
    files = {test.split("::", 1)[0] for test in differing}
    own = [c for c in pending if c.path in files and reach[c.path] == {c.path}]
    if own:
        return own
    return [c for c in pending if reach[c.path] & files] or pending


def _differing_alone(box: Sandbox, pending: list[FileChange], differing: dict[str, tuple[set[str], set[str]]],
                     before: verify_ids.Collection, tests: list[str],
                     timeout: float) -> dict[str, tuple[set[str], set[str]]]:
    """Of files whose ids differed, those whose difference the changes made.

    The code before the changes is collected again, in the same company: a file whose ids are
    the same again differed because of the changes. A file whose ids differ between two
    collections of the same code (`uuid4()` in `parametrize`, import order in a crowded run)
    says nothing in company: it is collected alone, before and after the changes, and compared
    by test, without parameters. A file that does not collect alone keeps its company's verdict."""
    paths = sorted(differing)
    wanted = set(tests)
    company = [path for batch in before.batches if set(batch) & set(paths)
               for path in batch if path in wanted]
    alone = [[path] for path in paths]
    _log.info("%d file(s) collected other ids after the changes: the code before collected again "
              "beside its %d companion file(s)", len(paths), len(company))
    for change in pending:
        box.put(change.path, change.before)
    try:
        again = box.collect(company, timeout, defaults=before.defaults, batches=before.batches)
        unstable = [path for path in paths if again.ids.get(path, set()) != before.ids.get(path, set())]
        if unstable:
            _log.info("%d file(s) collect other ids from the same code: collected alone, before and "
                      "after the changes", len(unstable))
        old = box.collect(unstable, timeout, defaults=before.defaults, batches=alone) if unstable else None
    finally:
        for change in pending:
            box.put(change.path, change.after)
    confirmed = {path: differing[path] for path in paths if path not in unstable}
    if old is None:
        return confirmed
    new = box.collect(unstable, timeout, defaults=before.defaults, batches=alone)
    for path in unstable:
        then, now = old.ids.get(path, set()), new.ids.get(path, set())
        if path in old.errors or path in new.errors or not then:
            confirmed[path] = differing[path]
        elif _by_test(then) != _by_test(now):
            confirmed[path] = (then - now, now - then)
    return confirmed


def _why_bad(path: str, before: verify_ids.Collection, after: verify_ids.Collection,
             differing: dict[str, tuple[set[str], set[str]]], timeout: float) -> str:
    """What the changes did to the collection of `path`, in a person's words."""
    if path in after.errors and path not in before.errors and before.ids.get(path):
        return f"would no longer collect (it collected {len(before.ids[path])} test(s) before)"
    if path in differing:
        lost, gained = differing[path]
        return f"collected tests would change: lost {_some(lost)}, gained {_some(gained)}"
    if path in after.unknown:
        return f"its collection timed out after the change ({timeout:g} s, alone), not before"
    return "would no longer collect"


def _some(ids: set[str], shown: int = 3) -> str:
    """How many ids, and the first few: `2 ['a', 'b']`, `40 ['a', 'b', 'c', ...]`."""
    first = ", ".join(repr(test) for test in sorted(ids)[:shown])
    return f"{len(ids)} [{first}{', ...' if len(ids) > shown else ''}]"


def _by_test(ids: set[str]) -> Counter[str]:
    """Each test's id without its parameters, with how many instances it has."""
    return Counter(test.split("[", 1)[0] for test in ids)


def _by_collection(project: Project, report: MigrationReport, changes: list[FileChange],
                   reach: dict[str, set[str]], tests: list[str], box: Sandbox, ctx: RuleContext) -> None:
    """Verify by identical collected ids (the files that could not be collected: statically)."""
    timeout = project.config.migrate.collect_timeout
    started = time.perf_counter()
    _log.info("verifying %d change(s) by collection: %d test file(s) before the changes",
              len(changes), len(tests))
    before = box.collect(tests, timeout)
    report.collection_seconds += time.perf_counter() - started
    report.collection_failure = before.failure
    report.collected_with_defaults = before.defaults
    pending = [c for c in changes if c.path not in report.rejected] if before.failure is None else []
    wanted = set(tests)
    # The after side is collected with every file of the side before, also those that collected
    # nothing: a file that fails at import has still imported modules (and put its folder on
    # `sys.path`) that the files after it may need, so leaving it out changes what they collect.
    # After a round of rejections only the runs the reverted changes reach are collected again:
    # every other run holds the same code as in the round before, and keeps its result.
    scope, previous = tests, None
    for _ in range(_ROUNDS):
        if not pending:
            break
        for change in pending:
            box.put(change.path, change.after)
        started = time.perf_counter()
        fresh = box.collect(scope, timeout, defaults=before.defaults, batches=before.batches)
        report.collection_seconds += time.perf_counter() - started
        if fresh.failure is not None:  # the changes broke collection as a whole
            for change in pending:
                report.rejected[change.path] = f"collection failed after the change: {fresh.failure}"
            pending = []
            break
        after = fresh if previous is None else _carried(previous, fresh, scope)
        known = {path: ids for path, ids in before.ids.items() if path not in after.unknown}
        differing = verify_ids.compare(known, after.ids)
        if differing:
            started = time.perf_counter()
            differing = _differing_alone(box, pending, differing, before, tests, timeout)
            report.collection_seconds += time.perf_counter() - started
        bad = set(differing) | (after.errors - before.errors) | after.unknown
        if not bad:
            pending = []  # every pending change is confirmed by this round
            break
        why = {path: _why_bad(path, before, after, differing, timeout) for path in bad}
        rejected = [c for c in pending if c.path in bad]
        for change in rejected:
            report.rejected[change.path] = why[change.path]
        if not rejected:  # a test file changed because of an infrastructure change
            rejected = [c for c in pending if not ctx.is_test_file(c.path) and reach[c.path] & bad] or \
                       [c for c in pending if not ctx.is_test_file(c.path)]
            for change in rejected:
                hit = sorted(reach[change.path] & bad) or sorted(bad)
                report.rejected[change.path] = ("changing it alters what other test files collect: "
                                                f"{len(hit)} file(s), e.g. {hit[0]}: {why[hit[0]]}")
        for change in rejected:
            box.put(change.path, change.before)
        pending = [c for c in pending if c not in rejected]
        touched = bad.union(*(reach[c.path] for c in rejected), (c.path for c in rejected))
        scope = [path for batch in before.batches if touched.intersection(batch) for path in batch
                 if path in wanted]
        previous = after
        _log.info("%d change(s) rejected; %d left, %d file(s) of the runs they reach to collect again",
                  len(rejected), len(pending), len(scope))
    unconfirmed = set(scope)
    for change in pending:  # rounds ran out while the runs these changes reach still changed
        if reach[change.path] & unconfirmed:
            report.rejected[change.path] = (f"not confirmed: what its test files collect was still changing "
                                            f"after {_ROUNDS} rounds of rejecting other changes")
    for change in changes:
        if change.path in report.rejected or change.path in report.proof:
            continue
        # Only a file that collected tests before is proven by its ids; any other (it errored,
        # holds no tests, is infrastructure, or pytest could not run here) is checked statically.
        if change.path in before.ids and change.path not in before.errors:
            report.proof[change.path] = "collected"
