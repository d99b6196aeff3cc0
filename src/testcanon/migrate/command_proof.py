"""CANON202's proof: a pytest command becomes `canon run` only when both select the same tests.

The rewrite keeps every path positional and every option as written (`runner_bypass`), which
is right by construction for most commands; this proves it on the project itself. In the
target environment, pytest collects with the command's own arguments (`--collect-only`, at the
folder the command runs in), and the runner plans its run of the rewritten command from its own
collection (`runner.planning`: the categories, the files it leaves out); the node ids must be
the same sets. Both collections run in an isolated copy of the project (`migrate/sandbox.py`):
nothing is written into the user's tree, not even pytest's cache. A command whose selection
differs, or that cannot be collected here, is left as it was and reported with why.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from testcanon.config import Project, load_project
from testcanon.errors import CanonError
from testcanon.migrate.common import FileChange
from testcanon.migrate.runner_bypass import CommandEdit, rewrite_commands
from testcanon.migrate.sandbox import sandbox
from testcanon.runner.execute import run_pytest_at
from testcanon.runner.planning import category_markers, from_test_set, relative_args, single_invocation
from testcanon.runner.results import failure_reason
from testcanon.runner.testset import collect_test_set, rootdir_prefix, to_project_path
from testcanon.target import TargetPython

__all__ = ["prove_command_changes", "same_selection"]

_log = logging.getLogger(__name__)

# Files whose commands run in their own folder (tox's toxinidir, make's directory).
_RUN_IN_OWN_FOLDER = ("tox.ini", "Makefile", "makefile", "GNUmakefile")


def prove_command_changes(project: Project, changes: Iterable[FileChange], target: TargetPython, *,
                          timeout: float, rejected: dict[str, str], proof: dict[str, str],
                          skipped: list[str]) -> None:
    """Keep in each CANON202 change only the rewrites whose selection is proven the same;
    a file none of whose rewrites holds is rejected."""
    changes = list(changes)
    with sandbox(project, target) as box:
        copy = load_project(box.copy)
        selections = _Selections(copy, target, timeout, box.env)
        planned: list[tuple[Path, CommandEdit]] = []
        for change in changes:  # first every command's selections, collected side by side
            cwd = _cwd(copy, change)
            rewrite_commands(change.path, change.before.decode("utf-8", "replace"),
                             copy.config.check.runner_command,
                             prove=lambda edit, cwd=cwd: planned.append((cwd, edit)))
        _log.info("proving %d rewritten command(s) in %d file(s): collecting each one's tests, old and new",
                  len(planned), len(changes))
        selections.prefetch(planned)
        for change in changes:
            _prove_change(copy, change, selections, rejected, proof, skipped)


def _cwd(project: Project, change: FileChange) -> Path:
    folder = (project.root / change.path).parent
    return folder if Path(change.path).name in _RUN_IN_OWN_FOLDER else project.root


def _prove_change(project: Project, change: FileChange, selections: _Selections, rejected: dict[str, str],
                  proof: dict[str, str], skipped: list[str]) -> None:
    cwd = _cwd(project, change)
    text = change.before.decode("utf-8", "replace")
    proven = rewrite_commands(change.path, text, project.config.check.runner_command,
                              prove=partial(selections.same, cwd))
    for line, column, command, why in proven.left:
        if why.startswith("selects other tests") or why.startswith("cannot be proven"):
            skipped.append(f"{change.path}:{line}:{column}: `{command[:60]}` left as is: {why}")
    if not proven.count:
        rejected[change.path] = "no rewritten command selects the same tests as before (see the notes)"
        return
    if proven.text.encode("utf-8") != change.after:
        change.rewrite(proven.text.encode("utf-8"))
    proof[change.path] = "collected"


class _Selections:
    """The tests each command selects, old (pytest with its arguments) and new (the runner's
    plan), collected once per distinct selection: the copy does not change while commands are
    proven, and two commands that say the same select the same."""

    def __init__(self, project: Project, target: TargetPython, timeout: float, env: dict[str, str]) -> None:
        self._project, self._target, self._timeout, self._env = project, target, timeout, env
        self._known: dict[tuple, set[str] | str] = {}

    def prefetch(self, planned: list[tuple[Path, CommandEdit]]) -> None:
        keys = list(dict.fromkeys(key for cwd, edit in planned for key in self._keys(cwd, edit)))
        with ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, 4, len(keys)))) as pool:
            for key, selected in zip(keys, pool.map(self._collect, keys), strict=True):
                self._known[key] = selected

    def same(self, cwd: Path, edit: CommandEdit) -> str | None:
        old_key, new_key = self._keys(cwd, edit)
        return same_selection(edit, self._get(old_key), self._get(new_key))

    def _keys(self, cwd: Path, edit: CommandEdit) -> tuple[tuple, tuple]:
        return (("pytest", str(cwd), tuple(edit.arguments)),
                ("runner", tuple(str(cwd / path) for path in edit.paths), tuple(edit.options)))

    def _get(self, key: tuple) -> set[str] | str:
        if key not in self._known:
            self._known[key] = self._collect(key)
        return self._known[key]

    def _collect(self, key: tuple) -> set[str] | str:
        kind, where, args = key
        if kind == "pytest":
            return _pytest_ids(self._project, self._target, Path(where), list(args), self._timeout, self._env)
        try:  # one command the runner cannot plan is left as written; the other rewrites go on
            return _runner_ids(self._project, self._target, list(where), list(args), self._timeout, self._env)
        except CanonError as error:
            return f"stopped ({error})"


def same_selection(edit: CommandEdit, old: set[str] | str, new: set[str] | str) -> str | None:
    """None when `canon run` with the edit's paths and options runs exactly the tests pytest
    collects with the command's arguments (`old`, `new`: the ids, or why they could not be
    collected); else why not."""
    if isinstance(old, str):
        return f"cannot be proven here: pytest with its arguments {old}"
    if isinstance(new, str):
        return f"cannot be proven here: the runner's collection {new}"
    if old == new:
        return None
    missing, extra = sorted(old - new), sorted(new - old)
    example = f"; e.g. it would not run {missing[0]}" if missing else f"; e.g. it would also run {extra[0]}"
    return (f"selects other tests as `{edit.replacement}`: {len(new)} where the command collects "
            f"{len(old)}{example}")


def _pytest_ids(project: Project, target: TargetPython, cwd: Path, args: list[str],
                timeout: float, env: dict[str, str]) -> set[str] | str:
    finished, events = run_pytest_at(cwd, target, ["--collect-only", "-q", *args], env=env, timeout=timeout)
    reason = failure_reason(finished, events)
    if events.collected is None:
        return f"collected nothing ({reason or f'exit {finished.returncode}'})"
    prefix = rootdir_prefix(project, events.rootdir or str(cwd))
    return {_project_id(prefix, nodeid) for nodeid, _markers in events.collected}


def _runner_ids(project: Project, target: TargetPython, paths: list[str], options: list[str],
                timeout: float, env: dict[str, str]) -> set[str] | str:
    if single_invocation(project, paths, [], selecting=False) is not None:
        # the runner runs the project's own invocation with these paths and options
        return _pytest_ids(project, target, project.root, [*relative_args(project, paths), *options], timeout,
                           env)
    tests = collect_test_set(project, target, relative_args(project, paths), options, timeout=timeout,
                             markers=category_markers(project), env=env)
    if tests.failure:
        return f"failed ({tests.failure[:200]})"
    plan = from_test_set(project, tests, categories=[], only_files=None, shard=None)
    return {test for batch in plan.batches for test in batch.planned or ()}


def _project_id(prefix: str, nodeid: str) -> str:
    path, _, rest = nodeid.partition("::")
    return f"{to_project_path(prefix, path)}::{rest}" if rest else to_project_path(prefix, path)
