"""The `collected` and `static` levels of proof (the `outcomes` level: `migrate/outcomes.py`).

Before and after, `pytest --collect-only -q` runs in the target environment, in a subprocess
(with a timeout), in the isolated copy of the project; a file whose collected ids differ is not
migrated, and the ids that differ are reported. Files that could not be collected before are
checked by compilation and by keeping every test name instead.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import sys
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyflakes.checker import Checker
from pyflakes.messages import UndefinedName

from testcanon.analysis import is_main_guard
from testcanon.analysis.import_names import parent_folder, separate
from testcanon.analysis.inventory import missing, names_in_broken, names_in_tree
from testcanon.migrate.common import module_bindings
from testcanon.runner.execute import run_pytest_at
from testcanon.runner.results import done_with, exited_at_import, failure_reason, split_at_stopper
from testcanon.target import TargetPython, resolve_python

_log = logging.getLogger(__name__)

_LOADING_CONFTEST = re.compile(r"while loading conftest '([^']+)'")
_DECLINED = re.compile(r"cannot collect test class '(?P<cls>\w+)' because it has a __init__ constructor "
                       r"\(from: (?P<path>[^)]+)\)")
# pytest exit codes after which a file's missing ids say nothing about that file.
_WHOLE_RUN_FAILED = {2: "interrupted", 3: "internal error", 4: "usage or configuration error"}


@dataclass
class Collection:
    """What `pytest --collect-only` found: ids per file, files that errored, or why nothing could be."""

    ids: dict[str, set[str]] = field(default_factory=dict)
    errors: set[str] = field(default_factory=set)
    failure: str | None = None  # pytest could not collect at all (configuration, internal error, timeout)
    defaults: bool = False  # collected with pytest's defaults: the project's configuration was refused
    refused: bool = False  # the failure is pytest refusing the configuration (exit 4, not a conftest)
    attempted: list[str] = field(default_factory=list)  # the files this collection was asked for
    conftest: str | None = None  # the folder of the conftest that failed to import ("" at the root)
    # file -> classes pytest declined in its own words ("cannot collect test class 'X' because it
    # has a __init__ constructor"): helpers, whatever their names say
    declined: dict[str, set[str]] = field(default_factory=dict)
    timed_out: bool = False
    # files whose run timed out: neither collected nor failing (a loaded machine says nothing of them)
    unknown: set[str] = field(default_factory=set)
    # the runs that collected, each a list of files: the after side is collected in the same company
    batches: list[list[str]] = field(default_factory=list)
    # files pytest skipped as a whole while collecting (`pytest.skip(allow_module_level=True)`,
    # `importorskip`): they import, and their tests are not collected here, by the file's own decision
    skipped: set[str] = field(default_factory=set)
    # files pytest was done with (collected, failed or skipped) when a run failed as a whole
    reached: set[str] = field(default_factory=set)
    # files whose import called `sys.exit` (their collection error), in the order collected
    exited: list[str] = field(default_factory=list)


def collected_ids(root: Path, files: list[str], timeout: float, *, defaults: bool | None = None,
                  target: TargetPython | None = None, env: Mapping[str, str] | None = None,
                  batches: list[list[str]] | None = None) -> Collection:
    """Collected test ids per file, and the files that failed to collect.

    When pytest refuses the project's configuration as a whole (exit 4: a newer pytest rejects
    its `[tool.pytest]` tables, an unknown option in `addopts`), collection runs again with
    pytest's defaults (`-c os.devnull`; conftest files still load), and `defaults` says so:
    pass it to the collection after the change, so both sides are collected the same way.
    The files are collected in parallel chunks, one pytest process per core; a chunk that
    pytest cannot collect as a whole is split (see `_collect_splitting`). `batches`: the runs
    that collected before the change (`Collection.batches`), to collect the after side in the
    same company, each run's files only beside the files they were beside before.
    """
    if not files:
        return Collection(defaults=bool(defaults))
    python = target or resolve_python(root, cli=sys.executable)  # default: this interpreter
    if batches is not None:
        return _collect_batches(root, files, timeout, defaults=bool(defaults), python=python, env=env,
                                batches=batches)
    if defaults is None:
        first = _collect_in_chunks(root, files, timeout, defaults=False, python=python, env=env)
        if not first.refused:
            return first
        second = _collect_in_chunks(root, files, timeout, defaults=True, python=python, env=env)
        return second if second.failure is None else first
    return _collect_in_chunks(root, files, timeout, defaults=defaults, python=python, env=env)


def _collect_in_chunks(root: Path, files: list[str], timeout: float, *, defaults: bool, python: TargetPython,
                       env: Mapping[str, str] | None) -> Collection:
    """Whole folders per chunk, each chunk in its own pytest processes, in parallel; files that
    pytest would import under one name (a copy of the project's `tests` package) in separate
    processes (`separate`)."""
    folders = sorted({parent_folder(path) for path in files})
    workers = max(1, min(os.cpu_count() or 1, 4, len(files) // 20 or 1, len(folders)))
    shares = [set(folders[i::workers]) for i in range(workers)]
    chunks = [run for share in shares for run in separate(root, [path for path in files
                                                                 if parent_folder(path) in share])]
    _log.info("collecting %d file(s) in %d pytest run(s), %d at a time", len(files), len(chunks), workers)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda chunk: _collect_splitting(root, chunk, timeout, defaults, python, env,
                                                               [_SPLITS]), chunks))
    return _merged([part for chunk in parts for part in chunk], defaults)


def _collect_batches(root: Path, files: list[str], timeout: float, *, defaults: bool, python: TargetPython,
                     env: Mapping[str, str] | None, batches: list[list[str]]) -> Collection:
    """`files` collected in the given company (no splitting: a run that fails as a whole fails
    its files, which is what a change that breaks collection does). A file no run collected
    before (its run failed as a whole, or timed out) has nothing to be compared with and is not
    collected: its change is judged statically, and run alone now it could only read as tests
    gained or, on a loaded machine, as a timeout."""
    wanted = set(files)
    runs = [kept for batch in batches if (kept := [path for path in batch if path in wanted])]
    if not runs:
        return Collection(defaults=defaults)
    workers = max(1, min(os.cpu_count() or 1, 4, len(runs)))
    _log.info("collecting %d file(s) in the company of the run before: %d pytest run(s)",
              sum(map(len, runs)), len(runs))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda run: _collect(root, run, timeout, defaults, python, env), runs))
        # a crowded run that timed out (a loaded machine) is run again in the same company with
        # more time: alone, a file may not collect at all (a test folder on `sys.path` that an
        # earlier file put there). Only what times out again is run one file at a time; a file
        # that times out alone as well stays `unknown`
        patient = [part for part in parts if _crowded_timeout(part)]
        if patient:
            parts = [part for part in parts if not _crowded_timeout(part)]
            patience = timeout * _PATIENCE
            _log.info("%d crowded run(s) timed out; again with %g s", len(patient), patience)
            parts += pool.map(lambda run: _collect(root, run.attempted, patience, defaults, python, env),
                              patient)
        slow = [path for part in parts if _crowded_timeout(part) for path in part.attempted]
        if slow:
            parts = [part for part in parts if not _crowded_timeout(part)]
            _log.info("%d file(s) of runs that timed out again: one pytest run each", len(slow))
            parts += pool.map(lambda path: _collect(root, [path], timeout, defaults, python, env), slow)
    return _merged(parts, defaults)


_PATIENCE = 3  # times the timeout a crowded run that timed out gets when it is run again


def _crowded_timeout(part: Collection) -> bool:
    return part.timed_out and len(part.attempted) > 1


_SPLITS = 64  # pytest runs one chunk may spend finding the files that sink it


def _collect_splitting(root: Path, files: list[str], timeout: float, defaults: bool, python: TargetPython,
                       env: Mapping[str, str] | None, budget: list[int]) -> list[Collection]:
    """Collect; when pytest cannot collect the run as a whole, find the files that sink it.

    A conftest that fails to import stops the whole run: its folder's files are collected on
    their own (in a monorepo a sibling package named like the project's own `tests` makes
    another conftest's imports fail), the rest apart from them. A run that a file stops midway
    (an internal error, `KeyboardInterrupt` at import) is split at that file, the first one
    pytest was not done with: the files before it, it alone, the files after it (bisecting
    would collect the same files again once per halving). A run that ends without saying where
    (a crash: pytest registering two `tests/conftest.py` as one module, `os._exit` in a file) is
    split in halves, until the file that ends it is alone. A timeout or pytest refusing the
    configuration is not split: every part would do the same."""
    part = _collect(root, files, timeout, defaults, python, env)
    if part.failure is None and part.exited and len(part.exited) < len(files) and budget[0] > 0:
        # whether a module exits often depends on what ran before it in the process (a test that
        # sets os.environ at import): the files that exited are collected again apart
        budget[0] -= 1
        again = set(part.exited)
        _log.info("%d file(s) of a run of %d exited at import: collecting them again apart",
                  len(again), len(files))
        kept = [path for path in files if path not in again]
        rest = replace(part, errors=part.errors - again, attempted=kept, batches=[kept], exited=[])
        return [rest, *_collect_splitting(root, part.exited, timeout, defaults, python, env, budget)]
    if part.failure is None or len(files) == 1 or part.refused or part.timed_out or budget[0] <= 0:
        return [part]
    blocked = [path for path in files if part.conftest is not None
               and (not part.conftest or path.startswith(part.conftest + "/"))]
    if len(blocked) == len(files):
        return [part]  # the conftest fails whatever runs beside it
    if blocked:
        aside = set(blocked)
        halves = [[path for path in files if path not in aside], blocked]
    else:
        halves = split_at_stopper(files, part.reached) or [files[:len(files) // 2], files[len(files) // 2:]]
    budget[0] -= 1
    _log.info("a run of %d file(s) failed as a whole (%s): splitting it", len(files), part.failure)
    return [piece for half in halves
            for piece in _collect_splitting(root, half, timeout, defaults, python, env, budget)]


def _merged(parts: list[Collection], defaults: bool) -> Collection:
    """One collection of several runs; a run that failed as a whole makes its files errors,
    unless every run failed (then nothing could be collected)."""
    if all(part.failure is not None for part in parts):
        return parts[0]
    ids: dict[str, set[str]] = {}
    errors: set[str] = set()
    unknown: set[str] = set()
    declined: dict[str, set[str]] = {}
    skipped: set[str] = set()
    for part in parts:
        ids.update(part.ids)
        declined.update(part.declined)
        skipped |= part.skipped
        failed = set(part.attempted) if part.failure is not None else set()
        errors |= part.errors | (set() if part.timed_out else failed)
        unknown |= part.unknown | (failed if part.timed_out else set())
    return Collection(ids, errors, defaults=defaults, declined=declined,
                      attempted=[path for part in parts for path in part.attempted],
                      batches=[part.attempted for part in parts if part.failure is None], unknown=unknown,
                      skipped=skipped)


def _what_pytest_said(output: str) -> str:
    """The words that say why a run failed as a whole: a conftest that failed to load and its
    error (`tests/e2e/conftest.py: ModuleNotFoundError: ...`), pytest's own `ERROR:` line, else
    the first line of output (what a conftest logs on import comes first and says nothing)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    loading = _LOADING_CONFTEST.search(output)
    if loading:
        error = next((line[1:].strip() for line in reversed(lines) if line.startswith("E ")), "")
        return f"{loading.group(1)}: {error}" if error else f"{loading.group(1)} failed to load"
    return next((line for line in lines if line.startswith("ERROR:")),
                next((line for line in lines if not line.startswith("[")), ""))


def _failed_conftest(root: Path, output: str) -> str | None:
    match = _LOADING_CONFTEST.search(output)
    if match is None:
        return None
    try:
        folder = Path(match.group(1)).parent.relative_to(root)
    except ValueError:
        return None
    return "" if str(folder) == "." else folder.as_posix()


def _collect(root: Path, files: list[str], timeout: float, defaults: bool, python: TargetPython,
             env: Mapping[str, str] | None = None) -> Collection:
    """One collection through the runner's one way of starting pytest (`run_pytest_at`): the
    project's configuration as its own pytest reads it, only `--maxfail=0` laid over it (a
    project's `--maxfail` stops collection after that many errors, so the files after them
    would read as collected), and no option of ours that its `addopts` could collide with."""
    config = ["-c", os.devnull, "--rootdir", str(root)] if defaults else []  # an empty configuration
    args = ["--collect-only", "-q", *config, "--continue-on-collection-errors", "--maxfail=0", *files]
    environ = {**(os.environ if env is None else env), "PYTHONDONTWRITEBYTECODE": "1"}
    finished, events = run_pytest_at(root, python, args, env=environ, timeout=timeout,
                                     exit_at_import_is_error=True)
    _log.debug("pytest --collect-only, %d file(s): exit %s in %.1f s%s", len(files), finished.returncode,
               finished.seconds, " (timed out)" if finished.timed_out else "")
    if finished.timed_out:
        return Collection(failure=f"collection timed out after {timeout:g} s", defaults=defaults,
                          attempted=files, timed_out=True)
    ids: dict[str, set[str]] = defaultdict(set)
    for nodeid, _markers in events.collected or ():
        ids[nodeid.split("::", 1)[0]].add(nodeid)
    errors = {r.nodeid.split("::", 1)[0] for r in events.results if r.outcome == "collection_error"}
    skipped = {r.nodeid for r in events.results if r.outcome == "skipped" and "::" not in r.nodeid}
    reason = failure_reason(finished, events)
    # exit 2 or 3 with ids: a file stopped the run midway (KeyboardInterrupt at import, `sys.exit`
    # in a conftest; in a test module the shim makes it the module's error); the files after it hold
    # neither ids nor errors, so the run fails as a whole and is split until that file is alone
    if reason and events.session is None or finished.returncode in _WHOLE_RUN_FAILED:
        # name the project's files, not the scratch copy's
        said = _what_pytest_said(finished.output).replace(f"{root}{os.sep}", "")
        code = finished.returncode
        why = _WHOLE_RUN_FAILED.get(code, reason or f"exit {code}")
        reached = done_with(events)
        return Collection(failure=f"pytest exited {code} ({why})" + (f": {said[:200]}" if said else ""),
                          defaults=defaults, refused=code == 4 and "conftest" not in finished.output,
                          attempted=files, conftest=_failed_conftest(root, finished.output), reached=reached)
    declined: dict[str, set[str]] = defaultdict(set)
    for match in _DECLINED.finditer(finished.output):
        declined[match.group("path")].add(match.group("cls"))
    return Collection(dict(ids), errors, defaults=defaults, attempted=files, declined=dict(declined),
                      batches=[files], skipped=skipped, exited=exited_at_import(events))


def compare(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, tuple[set[str], set[str]]]:
    """file -> (ids lost, ids gained), for files whose collected ids changed."""
    changed = {}
    for path in set(before) | set(after):
        lost = before.get(path, set()) - after.get(path, set())
        gained = after.get(path, set()) - before.get(path, set())
        if lost or gained:
            changed[path] = (lost, gained)
    return changed


@dataclass(frozen=True)
class ChangeCheck:
    """What can be known about a change without running anything (each side parsed once)."""

    problem: str | None  # what it breaks that collecting cannot see: never written
    static: tuple[bool, str]  # the verdict for a file that cannot be collected: compiles, every test kept


def check_change(before: bytes, after: bytes) -> ChangeCheck:
    try:
        new = ast.parse(after)
        compile(new, "<migrated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        where = f" (line {error.lineno})" if isinstance(error, SyntaxError) else ""
        message = error.msg if isinstance(error, SyntaxError) else str(error)
        return ChangeCheck(None, (False, f"does not compile: {message}{where}"))
    try:
        old: ast.Module | None = ast.parse(before)
    except (SyntaxError, ValueError):
        old = None
    expected = names_in_tree(old) if old is not None else names_in_broken(before.decode("utf-8", "replace"))
    lost = missing(expected, new)
    if lost:
        names = ", ".join(f"{c}.{n}" if c else n for c, n in sorted(lost, key=str)[:5])
        static = (False, f"would lose {len(lost)} test(s): {names}")
    else:
        static = (True, "compiles; every test kept")
    return ChangeCheck(_new_problems(old, new) if old is not None else None, static)


def new_problems(before: bytes, after: bytes) -> str | None:
    """What a change breaks that neither compiling nor collecting sees: a name it leaves undefined
    (a NameError only when that line runs), or a name the module had that now means one of ours."""
    return check_change(before, after).problem


def _new_problems(old: ast.Module, new: ast.Module) -> str | None:
    undefined = _undefined_names(new)
    if undefined:  # (the common case, none, needs no analysis of the file before)
        undefined -= _undefined_names(old)
    if undefined:
        return f"would leave {', '.join(sorted(undefined))} undefined"
    old_bound, new_bound = module_bindings(old), module_bindings(new)
    rebound = sorted(name for name, origin in old_bound.items()
                     if new_bound.get(name, origin) != origin and new_bound[name].startswith("testcanon."))
    if rebound:
        return f"would re-point {', '.join(rebound)} (the module's own) to testcanon's"
    return None


def _undefined_names(tree: ast.Module) -> set[str]:
    """Undefined names of the module as pytest imports it: without its `__main__` blocks, which
    never run then (an `import os` inside one does not define `os` for the tests)."""
    body = [node for node in tree.body if not (isinstance(node, ast.If) and is_main_guard(node.test))]
    imported = ast.Module(body=body, type_ignores=[])
    return {str(message.message_args[0]) for message in Checker(imported).messages
            if isinstance(message, UndefinedName)}

