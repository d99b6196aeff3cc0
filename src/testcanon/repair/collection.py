"""`canon collect --repair`: repair import-time collection failures, verified by collection.

Real collection in the target environment names every file pytest cannot collect and why
(`runner/collect.py`). With `fix_syntax` (the command's default), the files that do not compile
are first repaired as `canon fix` repairs them, into an isolated copy of the project, and
collected again there. Then, in rounds, in that copy (nothing of the user's tree is touched
until the end):

- an import of a name or module that moved is rewritten to its current home
  (`repair/imports.py`: the repository's own symbols and git's rename history);
- markers used but not registered under `--strict-markers` are registered in the project's
  pytest configuration, in one edit (`repair/markers.py`);
- a `NameError` on import: definitions a script moved above the imports they use go back below
  them (`repair/hoisted.py`), a definition a bulk rename renamed while its uses kept the old
  name gets that name back as the file's history shows it (`repair/renamed_definition.py`), or a
  name the module does not import at module level is imported there as the module writes it in
  its `__main__` block or a function, else as the repository's other modules import it
  (`repair/missing_import.py`);

and the files they broke are collected again there. A rewrite is kept only when every file
it answered then collects, with at least the tests it collected before (none: it failed); the
rest go back to their original text. A package the environment lacks is reported with the
requirement to add (never installed); everything else stays clustered by root cause. The kept
edits and repairs are written through the journal in one run (`canon undo` takes them all
back), unless `dry_run`.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.analysis.pytest_config import pytest_config
from testcanon.config import Project, load_project
from testcanon.migrate.isolation import child_env, imported_names, isolated_copy, put
from testcanon.repair.fixer import FileVerdict, fix_files
from testcanon.repair.hoisted import lower_hoisted, undefined_name
from testcanon.repair.imports import Failure, ImportMove, Unrepaired, plan_moves, rewrite
from testcanon.repair.markers import register, unregistered_marker
from testcanon.repair.missing_import import Convention, Home, add_missing_import
from testcanon.repair.renamed_definition import Repository, restore_renamed_definitions
from testcanon.repair.repository_index import import_convention, module_index, renames, sole_definition
from testcanon.repair.verdict import Outcome, Reason
from testcanon.runner.collect import CollectionHealth, collect_health
from testcanon.source import GlobSet
from testcanon.target import TargetPython

Progress = Callable[[str], None]
MAX_ROUNDS = 4  # a file can fail on its second moved import once the first is mended
_CONFIG_FILES = (("pytest.ini", "[pytest]"), (".pytest.ini", "[pytest]"),
                 ("pyproject.toml", "[tool.pytest.ini_options]"),
                 ("tox.ini", "[pytest]"), ("setup.cfg", "[tool:pytest]"))


@dataclass(frozen=True)
class KeptEdit:
    """One file rewritten and why: the moves applied, or the markers registered."""

    path: str
    kind: str  # import-moved, marker-registered, definitions-lowered, import-added
    details: tuple[str, ...]
    answered: tuple[str, ...]  # the test files that collect because of it
    tests: int  # tests those files collect now

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "details": list(self.details),
                "answered": list(self.answered), "tests": self.tests}


@dataclass(frozen=True)
class RefusedEdit:
    path: str
    details: tuple[str, ...]
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "details": list(self.details), "reason": self.reason}


@dataclass(frozen=True)
class Stage:
    """Real collection at one point of the repair: before, after `canon fix`, after the imports."""

    name: str
    tests: int
    failed_files: int
    seconds: float

    def to_json(self) -> dict[str, object]:
        return {"stage": self.name, "tests": self.tests, "failed_files": self.failed_files,
                "seconds": round(self.seconds, 1)}


@dataclass
class CollectionRepair:
    """Before and after, what was kept, refused and left (with why), and whether it was written."""

    before: CollectionHealth
    after: CollectionHealth
    stages: list[Stage] = field(default_factory=list)
    fixed: list[FileVerdict] = field(default_factory=list)  # canon fix's verdicts (the syntax stage)
    kept: list[KeptEdit] = field(default_factory=list)
    refused: list[RefusedEdit] = field(default_factory=list)
    left: list[Unrepaired] = field(default_factory=list)
    written: bool = False
    journal_run: str | None = None
    seconds: float = 0.0
    fix_seconds: float = 0.0  # of `seconds`: canon fix's repairs and their proof (the syntax stage)

    @property
    def requirements(self) -> list[Unrepaired]:
        return [u for u in self.left if u.kind == "third-party-missing"]

    def to_json(self) -> dict[str, object]:
        return {"before": _summary(self.before), "after": _summary(self.after),
                "stages": [stage.to_json() for stage in self.stages],
                "syntax": [v.to_json() for v in self.fixed],
                "kept": [k.to_json() for k in self.kept], "refused": [r.to_json() for r in self.refused],
                "left": [{"kind": u.kind, "detail": u.detail, "files": list(u.files), "count": len(u.files)}
                         for u in self.left],
                "written": self.written, "journal_run": self.journal_run, "seconds": round(self.seconds, 2),
                "fix_seconds": round(self.fix_seconds, 2),
                "clusters": [c.to_json() for c in self.after.clusters]}


def _summary(health: CollectionHealth) -> dict[str, object]:
    return {"test_files": health.test_files, "collected_files": health.collected,
            "tests": health.tests, "failed_files": health.failed_files}


def repair_collection(project: Project, target: TargetPython, paths: list[str] | None = None, *,
                      dry_run: bool = False, timeout: float | None = None, batch_size: int | None = None,
                      progress: Progress | None = None, fix_syntax: bool = False,
                      jobs: int | None = None) -> CollectionRepair:
    """Collect, repair in an isolated copy, verify by collecting there, and write what was verified.

    `fix_syntax`: first repair the files that do not compile, as `canon fix` does (each repair
    proven by it), under `paths` or, by default, where the project's pytest looks (`testpaths`),
    so one command takes a repository from its first collection to its last (the seed plan's
    phase 2A); the stages' real collections say what each step gave."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    say("collecting (before)")
    before = collect_health(project, paths, batch_size=batch_size, timeout=timeout, target=target, jobs=jobs)
    say(f"before: {before.tests:,} tests collected, {before.failed_files:,} file(s) failing")
    originals: dict[str, bytes] = {}
    result = CollectionRepair(before, before, [Stage("before", before.tests, before.failed_files,
                                                     time.perf_counter() - started)])
    if not before.errors and not (fix_syntax and before.syntax):
        result.seconds = time.perf_counter() - started
        return result
    index = module_index(project)
    convention = import_convention(project.root)
    home = sole_definition(index)
    renamed = renames(project.root)
    repository = Repository(project.root, pytest_config(project.root), GlobSet(project.config.all_excludes))
    with tempfile.TemporaryDirectory(prefix="canon-collect-repair-") as tmp:
        copy = Path(tmp) / "copy"
        imported = imported_names([(project.root / e.path).read_bytes() for e in before.errors
                                   if (project.root / e.path).is_file()])
        isolated_copy(project.root, copy, repository.excluded, imported)
        copy_project = load_project(copy)
        env = {k: v for k, v in child_env(copy).items() if k in ("PYTHONPATH", "GIT_CEILING_DIRECTORIES")}

        scope = [_relative(project.root, path) for path in paths or []]

        def collect(files: list[str] | None) -> CollectionHealth:
            """Collect `files` (relative paths; None: what the user named) in the copy."""
            named = scope if files is None else files
            if files is None and not scope:
                return collect_health(copy_project, [], batch_size=batch_size, timeout=timeout, target=target,
                                      env=env, jobs=jobs)
            return collect_health(copy_project, [str(copy / f) for f in named], batch_size=batch_size,
                                  timeout=timeout, target=target, env=env, jobs=jobs)

        def read(relpath: str) -> bytes | None:
            path = copy / relpath
            return path.read_bytes() if path.is_file() else None

        fixed: dict[str, bytes] = {}  # file canon fix repaired -> its text before
        failing = {e.path: Failure(e.path, e.cause, e.chain) for e in before.errors}
        if fix_syntax and before.syntax:
            stage_started = time.perf_counter()
            result.fixed = _fix_syntax(project, target, paths, jobs, say)
            result.fix_seconds = time.perf_counter() - stage_started
            for verdict in result.fixed:
                if verdict.fixed is not None:
                    fixed[verdict.path] = verdict.original
                    put(copy / verdict.path, verdict.fixed)
            say("collecting (after canon fix, in the copy)")
            health = collect(None)
            result.stages.append(Stage("after canon fix", health.tests, health.failed_files,
                                       time.perf_counter() - stage_started))
            failing = {e.path: Failure(e.path, e.cause, e.chain) for e in health.errors}
        import_started = time.perf_counter()
        answers: dict[str, set[str]] = {}  # rewritten file -> failing test files its edits answered
        details: dict[str, list[str]] = {}
        kinds: dict[str, str] = {}
        left: list[Unrepaired] = []
        touched: set[str] = set()  # files edited in the copy this round

        def edit(relpath: str, before: bytes, after: bytes, kind: str, said: Iterable[str],
                 answered: Iterable[str]) -> None:
            """Put an edit into the copy, keeping the file's original text and what the edit answers."""
            originals.setdefault(relpath, before)
            put(copy / relpath, after)
            touched.add(relpath)
            kinds[relpath] = kind
            details.setdefault(relpath, []).extend(said)
            answers.setdefault(relpath, set()).update(answered)

        for round_number in range(1, MAX_ROUNDS + 1):
            moves, left = plan_moves(failing.values(), index, read, renamed.get)
            markers = {f.path: name for f in failing.values() if (name := unregistered_marker(f.cause))}
            by_path: dict[str, list[ImportMove]] = {}
            for move in moves:
                by_path.setdefault(move.path, []).append(move)
            touched.clear()
            for relpath, file_moves in by_path.items():
                source = read(relpath)
                if source is None:
                    continue
                new, applied = rewrite(source, file_moves)
                if not applied:
                    continue
                edit(relpath, source, new, "import-moved", [m.describe() for m in applied],
                     [f.path for f in failing.values() if _answers(f, relpath, applied)])
            if markers:
                config = _pytest_config(copy)
                if config is not None:
                    text = (copy / config).read_text(encoding="utf-8")
                    new_text = register(text, config, markers.values())
                    if new_text != text:
                        edit(config, text.encode("utf-8"), new_text.encode("utf-8"), "marker-registered",
                             [f"registered marker '{n}'" for n in sorted(set(markers.values()))], markers)
            for failure in failing.values():
                missing = undefined_name(failure.cause)
                for relpath in _innermost_first(failure) if missing else ():
                    if kinds.get(relpath) in _NAME_ERROR_KINDS and relpath in touched:
                        answers[relpath].add(failure.path)  # the same helper, already edited
                        break
                    source = read(relpath)
                    planned = (_answer_name_error(relpath, source, missing, convention, home,
                                                  history=repository)
                               if source is not None else None)
                    if planned is None:
                        continue
                    kind, text, detail = planned
                    edit(relpath, source, text, kind, [detail], [failure.path])
                    break
            if not touched or not any(answers.get(path) for path in touched):
                break
            affected = sorted({f for path in touched for f in answers.get(path, ())})
            say(f"round {round_number}: {len(touched)} file(s) edited in the copy; collecting the "
                f"{len(affected)} file(s) they answer")
            health = collect(affected)
            failing.update({e.path: Failure(e.path, e.cause, e.chain) for e in health.errors})
            for path in affected:
                if path not in {e.path for e in health.errors}:
                    failing.pop(path, None)
        # keep an edit only when every file it answered collects; put back the others
        for relpath in sorted(originals):
            answered = answers.get(relpath, set())
            still = sorted(answered & set(failing))
            if still or not answered:
                reason = (f"{len(still)} of the {len(answered)} file(s) it answers still fail to collect "
                          f"(first: {still[0]}: {failing[still[0]].cause})" if still
                          else "it answers no failure")
                _put_back(copy, relpath, originals, details, reason, result)
        while True:  # an edit can rely on one just put back: collect until what is kept holds
            say("collecting (after, in the copy)")
            after = collect(None)
            failed_after = {e.path for e in after.errors}
            relapsed = [p for p in sorted(originals) if answers.get(p, set()) & failed_after]
            if not relapsed:
                break
            for relpath in relapsed:
                _put_back(copy, relpath, originals, details,
                          "a file it answers fails again once the refused edits were undone", result)
        per_file = after.tests_by_file
        for relpath in sorted(originals):
            answered = tuple(sorted(answers[relpath]))
            result.kept.append(KeptEdit(relpath, kinds[relpath], tuple(details[relpath]), answered,
                                        sum(per_file.get(path, 0) for path in answered)))
        result.after = _relocate(after, target)
        result.stages.append(Stage("after import repair", after.tests, after.failed_files,
                                   time.perf_counter() - import_started))
        result.left = left
        # a file both stages changed goes back, on undo, to its text before canon fix
        writes = [(project.root / edit.path, (copy / edit.path).read_bytes(),
                   fixed.get(edit.path, originals[edit.path])) for edit in result.kept]
        edited = {edit.path for edit in result.kept}
        writes += [(project.root / relpath, (copy / relpath).read_bytes(), before_fix)
                   for relpath, before_fix in fixed.items() if relpath not in edited]
    if writes and not dry_run:
        from testcanon.journal import Journal

        with Journal(project.root).start(f"canon collect --repair ({len(writes)} files)") as run:
            skipped = {s.path for s in run.write_all(writes)}
            result.journal_run = run.info.id
        for verdict in result.fixed:
            if verdict.fixed is not None and project.root / verdict.path in skipped:
                verdict.verdict, verdict.fixed = Outcome.CHANGED_DURING_RUN, None
                verdict.detail, verdict.reason = "the file changed while canon ran", Reason.CHANGED_DURING_RUN
        for edit in list(result.kept):
            if project.root / edit.path in skipped:
                result.kept.remove(edit)
                result.refused.append(RefusedEdit(edit.path, edit.details,
                                                  "the file changed while canon ran"))
        result.written = bool(result.kept)
    result.seconds = time.perf_counter() - started
    return result


def _fix_syntax(project: Project, target: TargetPython, paths: list[str] | None, jobs: int | None,
                say: Progress) -> list[FileVerdict]:
    """`canon fix`'s verified repairs (not written: they go into the copy) of the files that do
    not compile under `paths`, else under the project's `testpaths`, else anywhere.

    A file valid only on a newer Python than canon's (a PEP 701 f-string) is rewritten for the
    target when the target is no newer than canon's interpreter: its Python cannot read the file
    as written, so that is the only way it collects there (`canon fix` does it on request)."""

    scope: list[Path | str] = list(paths or [])
    if not scope:
        scope = [project.root / root for root in pytest_config(project.root).testpaths
                 if (project.root / root).exists()]

    def counted(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            say(f"canon fix: {done}/{total} file(s) that do not compile")

    older_target = target.version[:2] <= sys.version_info[:2]
    verdicts = fix_files(project, scope, dry_run=True, jobs=jobs, progress=counted, python=target,
                         rewrite_version_specific=older_target)
    say(f"canon fix: {sum(1 for v in verdicts if v.fixed is not None)} of {len(verdicts)} repaired")
    return verdicts


def _relocate(health: CollectionHealth, target: TargetPython) -> CollectionHealth:
    health.target = target
    return health


def _relative(root: Path, path: str) -> str:
    return Path(path).resolve().relative_to(root.resolve()).as_posix()


def _put_back(copy: Path, relpath: str, originals: dict[str, bytes], details: dict[str, list[str]],
              reason: str, result: CollectionRepair) -> None:
    put(copy / relpath, originals.pop(relpath))
    result.refused.append(RefusedEdit(relpath, tuple(details.get(relpath, ())), reason))


def _answers(failure: Failure, relpath: str, applied: list[ImportMove]) -> bool:
    """Whether a rewrite of `relpath` answers this failure: it is the failing file or on its import chain,
    and the failure names a module or name one of the moves replaced."""
    on_chain = failure.path == relpath or any(frame.rsplit(":", 1)[0] == relpath for frame in failure.chain)
    return on_chain and any(f"'{m.module}'" in failure.cause or (m.name and f"'{m.name}'" in failure.cause)
                            or _module_prefix_named(failure.cause, m.module) for m in applied)


_NAME_ERROR_KINDS = ("definitions-lowered", "definitions-renamed-back", "import-added")


def _answer_name_error(relpath: str, source: bytes, missing: str, convention: Convention | None = None,
                       home: Home | None = None,
                       history: Repository | None = None) -> tuple[str, bytes, str] | None:
    """An edit that may answer `NameError: name 'missing'` raised in `relpath`: (kind, text, detail).
    `history`: the repository whose history tells a renamed definition, and its pytest naming."""
    lowered = lower_hoisted(relpath, source, missing)
    if lowered is not None:
        return "definitions-lowered", lowered[0], lowered[1].describe()
    renamed = restore_renamed_definitions(history, relpath, source, missing) if history is not None else None
    if renamed is not None:
        return "definitions-renamed-back", renamed[0], renamed[1].describe()
    added = add_missing_import(relpath, source, missing, convention, home)
    if added is not None:
        return "import-added", added[0], added[1].describe()
    return None


def _innermost_first(failure: Failure) -> list[str]:
    """The repository files of a failure's import chain, where it was raised first."""
    frames = [frame.rsplit(":", 1)[0] for frame in reversed(failure.chain)]
    return list(dict.fromkeys([*frames, failure.path]))


def _module_prefix_named(cause: str, module: str) -> bool:
    match = re.search(r"No module named '([\w.]+)'", cause)
    return bool(match and (module == match.group(1) or module.startswith(match.group(1) + ".")))


def _pytest_config(root: Path) -> str | None:
    """The file pytest reads its configuration from, as pytest chooses it at the root."""
    for name, header in _CONFIG_FILES:
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if name in ("pytest.ini", ".pytest.ini") or header in text:
            return name
    return "pyproject.toml" if (root / "pyproject.toml").is_file() else None
