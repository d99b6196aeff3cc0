"""`canon fix --resurrect` over a project: plan, verify with real pytest, journal, report.

Verification, per file, before anything is written:
1. the merged file compiles, and the ids pytest's naming gives it are exactly today's plus the
   resurrected ones (`verify_resurrection`);
2. real pytest (the target interpreter, `testcanon.target.resolve_python`, in a subprocess with
   a timeout) collects today's file and the merged one in an isolated copy of the project
   (`migrate.isolation`: nothing in it reaches the user's tree; one copy per run, each merged
   file put in and taken out again): when today's file collects, the merged one must collect
   exactly today's ids plus the resurrected ones; when today's file already fails to collect (a
   missing dependency), the failure is reported and the static check of step 1 stands;
3. where the merged file collects, the resurrected tests are run once, and the ones that fail
   today are reported as failing. They are written anyway (the default): a test that fails
   after months in comments is news about the product, and dropping it again would lose it a
   second time; the report names each one so it is fixed or deleted on purpose.
"""

from __future__ import annotations

import ast
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.analysis.testfiles import is_test_file
from testcanon.config import Project
from testcanon.journal import Journal
from testcanon.migrate import isolation
from testcanon.repair.resurrect import (
    Resurrection,
    resurrect_text,
    verify_resurrection,
)
from testcanon.repair.resurrect_history import history_versions, replaced_by_placeholder
from testcanon.rules.lost.naming import TestNaming, naming_for
from testcanon.rules.lost.placeholders import BROKEN_FILE
from testcanon.rules.lost.tombstones import find_commented_tests, might_hold_tombstones
from testcanon.source import GlobSet, discover
from testcanon.syntax import check_source
from testcanon.target import TargetPython, resolve_python
from testcanon.vcs import is_work_tree
from testcanon.vcs.graph import history_env

COLLECT_TIMEOUT = 120.0


@dataclass
class ResurrectVerdict:
    path: str
    verdict: str  # resurrected, unverified, nothing-to-do
    detail: str
    plan: Resurrection
    collection: str = ""  # what real pytest said
    failing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {**self.plan.to_json(), "verdict": self.verdict, "detail": self.detail,
                "collection": self.collection, "failing_today": self.failing,
                "seconds": round(self.seconds, 4)}


def resurrect_files(project: Project, paths: Sequence[Path | str] = (), *, dry_run: bool = False,
                    python: str | None = None, use_history: bool | None = None,
                    run_tests: bool = True) -> list[ResurrectVerdict]:
    """Resurrect the lost tests of every compiling test file under `paths`; write the verified ones."""
    naming = naming_for(project)
    history = is_work_tree(project.root) if use_history is None else use_history
    if history:
        history_env(project.root)
    target = resolve_python(project.root, cli=python, config=project.config.python)
    verdicts = []
    for source in discover(project, paths):
        if not is_test_file(source.relpath):
            continue
        data = Path(source.abspath).read_bytes()
        if not might_hold_lost_tests(data.decode("utf-8", "replace")) or check_source(data) is not None:
            continue
        verdict = resurrect_one(project, source.relpath, data, naming=naming, history=history)
        if verdict.plan.lost:
            verdicts.append(verdict)
    planned = [v for v in verdicts if v.verdict == "planned"]
    if planned and target is not None and target.pytest_version:
        with tempfile.TemporaryDirectory(prefix="canon-resurrect-") as scratch:
            copy = Path(scratch) / "tree"
            imported = isolation.imported_names([v.plan.fixed or b"" for v in planned])
            isolation.isolated_copy(project.root, copy, GlobSet(project.config.all_excludes), imported)
            env = isolation.child_env(copy)
            for verdict in planned:
                started = time.perf_counter()
                _verify_by_pytest(copy, env, verdict, target, run_tests)
                verdict.seconds += time.perf_counter() - started
    for verdict in planned:
        if verdict.verdict == "planned":
            verdict.verdict, verdict.detail = "resurrected", "verified statically (no pytest in the target)"
    written = [v for v in verdicts if v.verdict == "resurrected"]
    if written and not dry_run:
        with Journal(project.root).start(f"canon fix --resurrect ({len(written)} files)") as run:
            # compare-and-swap: a file edited while it was verified is reported, not overwritten
            skipped = {item.path: item.reason
                       for item in run.apply(v.plan.write for v in written if v.plan.write)}
        for verdict in written:
            if Path(verdict.path) in skipped:
                verdict.verdict, verdict.detail = "changed-during-run", skipped[Path(verdict.path)]
    return verdicts


def resurrect_one(project: Project, relpath: str, data: bytes, *, naming: TestNaming,
                  history: bool) -> ResurrectVerdict:
    """Plan one file's resurrection and check it statically (verdict "planned" when it passes)."""
    started = time.perf_counter()
    text = data.decode("utf-8", "replace")
    tree = ast.parse(data)
    commented = find_commented_tests(text, tree, naming=naming)
    lost = {t.test_id for t in commented}
    replaced = [] if lost or not history else replaced_by_placeholder(project.root, relpath, tree,
                                                                      naming=naming)
    wanted = lost | set(replaced)
    versions = history_versions(project.root, relpath, wanted, naming=naming) if history and wanted else None
    plan = resurrect_text(relpath, data, versions, naming=naming, replaced=replaced, commented=commented)
    verdict = ResurrectVerdict(relpath, "nothing-to-do", "", plan)
    if plan.fixed is not None:
        why = verify_resurrection(plan, naming=naming)
        if why is not None:
            verdict.verdict, verdict.detail = "unverified", why
        else:
            verdict.verdict = "planned"
    elif plan.lost:
        verdict.detail = "no version or parsable comment holds them"
    verdict.seconds = time.perf_counter() - started
    return verdict


def might_hold_lost_tests(text: str) -> bool:
    """Commented-out definitions, or a skip reason that says the file is broken (a placeholder
    that stood in for tests no comment keeps): cheap tests a file must pass to be read further."""
    return might_hold_tombstones(text) or BROKEN_FILE.search(text) is not None


def _verify_by_pytest(copy: Path, env: dict[str, str], verdict: ResurrectVerdict, target: TargetPython,
                      run_tests: bool) -> None:
    """Collect today's file and the merged one in the isolated copy (and run the resurrected tests);
    the copy holds today's file again afterwards, so each file is verified against today's tree."""
    path = copy / verdict.path
    before_ok, before = _collect(copy, env, target, verdict.path)
    isolation.put(path, verdict.plan.fixed or b"")
    try:
        after_ok, after = _collect(copy, env, target, verdict.path)
        classes = {n.name for n in ast.parse(verdict.plan.fixed or b"").body if isinstance(n, ast.ClassDef)}
        gained = {r.test_id for r in verdict.plan.restored if r.test_id not in classes}  # pytest lists items
        if before_ok:
            removed = set(verdict.plan.placeholders_removed)
            expected = {i for i in map(_strip_params, before) if i not in removed
                        and i.split("::")[0] not in removed} | gained
            got = {_strip_params(i) for i in after} if after_ok else set()
            if not after_ok or got != expected:
                verdict.verdict = "unverified"
                verdict.detail = ("pytest cannot collect the merged file: " + "; ".join(sorted(after))[:300]
                                  if not after_ok else
                                  f"pytest collects {len(got)} ids, expected {len(expected)} "
                                  f"(unexpected {sorted(got - expected)[:3]}, missing "
                                  f"{sorted(expected - got)[:3]})")
                return
            verdict.collection = (f"pytest collects {len(got)} ids: today's {len(before)}"
                                  + (f" less {len(before) - len(expected - gained)} placeholder(s)"
                                     if len(expected - gained) != len(before) else "")
                                  + f" + {len(gained)} resurrected")
            if run_tests and gained:
                verdict.failing = _failing(copy, env, target, verdict.path, sorted(gained))
        else:
            reason = next(iter(sorted(before)), "collection error")
            verdict.collection = (f"today's file already fails to collect ({reason}); merged file "
                                  + ("collects" if after_ok else "fails the same way")
                                  + "; verified statically")
        verdict.verdict = "resurrected"
        verdict.detail = f"{len(verdict.plan.restored)} test(s) resurrected"
    finally:
        isolation.put(path, verdict.plan.original)


def _strip_params(test_id: str) -> str:
    return test_id.split("[", 1)[0]


def _collect(copy: Path, env: dict[str, str], target: TargetPython, relpath: str) -> tuple[bool, set[str]]:
    """(collected, ids within the file) or (False, {first error line})."""
    try:
        done = subprocess.run([target.executable, "-m", "pytest", "--collect-only", "-q",
                               "-p", "no:cacheprovider",
                               "-o", "addopts=", relpath], cwd=copy, env=env, capture_output=True, text=True,
                              timeout=COLLECT_TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, {f"pytest did not finish: {error}"}
    ids = {line.split("::", 1)[1] for line in done.stdout.splitlines() if "::" in line
           and not line.startswith(" ")}
    if done.returncode not in (0, 5):
        errors = [line for line in done.stdout.splitlines() if line.startswith("E ")]
        return False, {(errors[-1][2:].strip() if errors else f"pytest exit {done.returncode}")[:200]}
    return True, ids


def _failing(copy: Path, env: dict[str, str], target: TargetPython, relpath: str,
             ids: list[str]) -> list[str]:
    """The resurrected tests that fail today (one run, junit XML, a timeout)."""
    with tempfile.TemporaryDirectory(prefix="canon-resurrect-") as scratch:
        report = Path(scratch) / "junit.xml"
        try:
            subprocess.run([target.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "-o", "addopts=",
                            f"--junitxml={report}", *(f"{relpath}::{i}" for i in ids)], cwd=copy,
                           env=env, capture_output=True, text=True, timeout=COLLECT_TIMEOUT * 2,
                           stdin=subprocess.DEVNULL)
            tree = ElementTree.parse(report)
        except (OSError, subprocess.TimeoutExpired, ElementTree.ParseError):
            return []
    failing = []
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            owner = case.get("classname", "").rsplit(".", 1)[-1]
            name = case.get("name", "")
            failing.append(f"{owner}::{name}" if owner.startswith(("Test",)) or owner[:1].isupper() else name)
    return failing
