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

from collections.abc import Iterable
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

# Files whose commands run in their own folder (tox's toxinidir, make's directory).
_RUN_IN_OWN_FOLDER = ("tox.ini", "Makefile", "makefile", "GNUmakefile")


def prove_command_changes(project: Project, changes: Iterable[FileChange], target: TargetPython, *,
                          timeout: float, rejected: dict[str, str], proof: dict[str, str],
                          skipped: list[str]) -> None:
    """Keep in each CANON202 change only the rewrites whose selection is proven the same;
    a file none of whose rewrites holds is rejected."""
    with sandbox(project, target) as box:
        copy = load_project(box.copy)
        for change in changes:
            _prove_change(copy, change, target, box.env, timeout, rejected, proof, skipped)


def _prove_change(project: Project, change: FileChange, target: TargetPython, env: dict[str, str],
                  timeout: float, rejected: dict[str, str], proof: dict[str, str],
                  skipped: list[str]) -> None:
    runner = project.config.check.runner_command
    folder = (project.root / change.path).parent
    cwd = folder if Path(change.path).name in _RUN_IN_OWN_FOLDER else project.root
    text = change.before.decode("utf-8", "replace")
    proven = rewrite_commands(change.path, text, runner, prove=partial(
        same_selection, project, target, cwd, timeout=timeout, env=env))
    for line, column, command, why in proven.left:
        if why.startswith("selects other tests") or why.startswith("cannot be proven"):
            skipped.append(f"{change.path}:{line}:{column}: `{command[:60]}` left as is: {why}")
    if not proven.count:
        rejected[change.path] = "no rewritten command selects the same tests as before (see the notes)"
        return
    if proven.text.encode("utf-8") != change.after:
        change.rewrite(proven.text.encode("utf-8"))
    proof[change.path] = "collected"


def same_selection(project: Project, target: TargetPython, cwd: Path, edit: CommandEdit, *,
                   timeout: float, env: dict[str, str] | None = None) -> str | None:
    """None when `canon run` with the edit's paths and options runs exactly the tests pytest
    collects with the command's arguments; else why not. `project` is the copy it runs in."""
    env = env or {}
    old = _pytest_ids(project, target, cwd, [*edit.arguments], timeout, env)
    if isinstance(old, str):
        return f"cannot be proven here: pytest with its arguments {old}"
    try:  # one command the runner cannot plan is left as written; the other rewrites go on
        new = _runner_ids(project, target, [str(cwd / path) for path in edit.paths], list(edit.options),
                          timeout, env)
    except CanonError as error:
        new = f"stopped ({error})"
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
