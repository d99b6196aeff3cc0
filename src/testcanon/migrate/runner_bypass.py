"""CANON201/202 codemods: `__main__` blocks that run tests go; script commands use `canon run`.

Shell, Makefile, tox, pyproject and CI YAML files are edited in place at the exact offsets the
check found, so comments and layout survive (no YAML re-serialisation). A command is rewritten
only when `canon run` selects exactly the tests it did: paths stay positional (before `--`),
every word stays as written, and anything whose meaning is decided when it runs (`$(...)`,
`$VAR`, globs, tox's `{posargs}`, make variables), an option that may take a path as its
value, a node id, a command run in a container or another machine, is left and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from testcanon.analysis.commands import CommandSite, find_sites, source_kind
from testcanon.analysis.shell_words import PYTHON, Word

_RUNS_TESTS = re.compile(r"\b(pytest\.main|unittest\.main|py\.test|pytest)\b")


class DropMainBlocks(cst.CSTTransformer):
    def __init__(self, mode: str, hint_path: str) -> None:
        self.mode = mode
        self.hint_path = hint_path
        self.removed = 0

    # `__main__` blocks live at module level (or under a module-level `if`/`try`): the bodies of
    # functions and classes, and simple statements, need no walk (it was most of the time).
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False

    def leave_If(self, original: cst.If, updated: cst.If) -> cst.If | cst.RemovalSentinel:
        test = cst.Module(body=[]).code_for_node(original.test).replace("'", '"').replace(" ", "")
        if test not in ('__name__=="__main__"', '"__main__"==__name__'):
            return updated
        body = cst.Module(body=list(original.body.body)).code
        if not _RUNS_TESTS.search(body) or original.orelse is not None:
            return updated
        self.removed += 1
        return cst.RemoveFromParent()  # with mode "hint", drop_main_blocks leaves a one-line hint


def drop_main_blocks(module: cst.Module, *, mode: str, relpath: str) -> tuple[cst.Module, int]:
    transformer = DropMainBlocks(mode, relpath)
    result = module.visit(transformer)
    if transformer.removed and mode == "hint":
        result = result.with_changes(footer=[*result.footer, cst.EmptyLine(
            comment=cst.Comment(f"# Run with: canon run {relpath}"))])
    return result, transformer.removed


# --- CANON202: a pytest command becomes the runner's, only when it selects the same tests -----
# pytest's options that take a value (`--cov` takes one when the next word is not an option).
_VALUE_OPTIONS = frozenset("""
-k -m -r -W -n --tb --deselect --ignore --ignore-glob --basetemp --junitxml --junit-xml --junit-prefix
--durations --durations-min --maxfail --timeout --timeout-method --cov --cov-report --cov-config
--cov-fail-under --cov-context --log-level --log-cli-level --log-file --log-file-level --log-format
--log-date-format --log-cli-format --log-cli-date-format --capture --dist --maxprocesses --numprocesses
--reruns --reruns-delay --only-rerun --color --code-highlight --html --json-report-file --benchmark-json
--benchmark-save --benchmark-compare --randomly-seed --lfnf --last-failed-no-failures --tx --rsyncdir
--count --asyncio-mode --verbosity --show-capture --doctest-glob --doctest-report --run-optional
--splits --group --junit-family --report-log --django-settings --ds --dc --base-url --driver --browser
""".split())  # noqa: SIM905
_FLAGS = frozenset("""
-v -vv -vvv -q -qq -s -x -l -f --verbose --quiet --showlocals --lf --last-failed --ff --failed-first --nf
--new-first --sw --stepwise --sw-skip --stepwise-skip --exitfirst --strict-markers --strict --strict-config
--runxfail --no-header --no-summary --disable-warnings --disable-pytest-warnings --setup-show --setup-only
--setup-plan --full-trace --fulltrace --pdb --trace --doctest-modules --doctest-continue-on-failure
--cache-clear --cache-show --continue-on-collection-errors --cov-append --no-cov --no-cov-on-fail
--cov-branch --looponfail --forked --benchmark-skip --benchmark-disable --benchmark-only
--benchmark-autosave --codspeed --no-cov-on-fail --randomly-dont-reorganize --instafail --reuse-db
--create-db --nomigrations --headed --durations-only --force-sugar
""".split())  # noqa: SIM905
# They change how pytest reads the project, which `canon run` reads itself.
_CONFIG_OPTIONS = frozenset(["-c", "--config-file", "--rootdir", "-p", "--pyargs", "--confcutdir", "-o",
                             "--override-ini", "--noconftest", "--import-mode", "-P", "--debug"])  # noqa: SIM905


@dataclass(frozen=True)
class CommandEdit:
    start: int  # file offsets of the span replaced
    end: int
    replacement: str
    paths: tuple[str, ...] = ()  # the selection, as the command's words mean them
    options: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()  # everything the command passed to pytest


def plan_command(site: CommandSite, runner: str, text: str) -> CommandEdit | str:
    """The in-place edit turning `site` into `runner PATHS -- OPTIONS` (paths stay positional,
    every word as written), or why no rewrite selects exactly the tests the command selects."""
    if site.problem:
        return site.problem
    run = site.run
    head = [w.value for w in run.head]
    if len(head) > 1 and head[-2:] != ["-m", "pytest"] or len(head) > 3:
        return f"`{' '.join(head)}` passes options to Python itself, which `{runner}` would not"
    interpreter = head[0] if len(head) > 1 else ""
    if interpreter and not PYTHON.match(interpreter) and interpreter != "{envpython}":
        return (f"runs pytest with the interpreter `{run.head[0].raw}`, not the project's: "
                f"`{runner}` picks its own")
    if len(head) == 1 and "/" in head[0] and head[0] != "{envbindir}/pytest":
        return f"runs the pytest at `{run.head[0].raw}`, not the project's: `{runner}` picks its own"
    for word in run.args:
        if word.expands:
            return (f"`{word.raw}` is expanded when the command runs: the tests it selects are known only "
                    "then (it could hold paths, which must stay before `--`)")
    paths: list[Word] = []
    options: list[Word] = []
    args = list(run.args)
    i = 0
    while i < len(args):
        word = args[i]
        value = word.value
        name = value.split("=", 1)[0]
        if value == "--":
            return "a `--` among pytest's arguments: everything after it is a path"
        if not value.startswith("-") or value == "-":
            if "::" in value:
                return f"`{word.raw}` names single tests (a node id); `{runner}` selects files and folders"
            paths.append(word)
            i += 1
            continue
        if name in _CONFIG_OPTIONS or (value[:2] in ("-c", "-p", "-o", "-P") and not value.startswith("--")):
            return f"`{word.raw}` changes how pytest reads the project, which `{runner}` reads on its own"
        options.append(word)
        i += 1
        if "=" in value or (not value.startswith("--") and len(value) > 2 and value[:2] in
                            {o for o in _VALUE_OPTIONS if len(o) == 2}):
            continue  # `--tb=short`, `-kexpr`, `-rA`: the value is attached
        if name in _VALUE_OPTIONS:
            takes = name != "--cov" or (i < len(args) and not args[i].value.startswith("-"))
            if takes and i < len(args):
                options.append(args[i])
                i += 1
            continue
        if name in _FLAGS or (not value.startswith("--") and all(f"-{c}" in _FLAGS for c in value[1:])):
            continue
        if i < len(args) and not args[i].value.startswith("-"):
            return (f"`{word.raw}` is not an option known to take no value: `{args[i].raw}` after it "
                    "may be its value or a path")
    words = [*run.head, *run.args]
    newline = text.find("\n", words[0].start)
    first_line_end = len(text) if newline < 0 else newline
    later = [w for w in words if w.start > first_line_end]
    if later and any(w in paths for w in later):
        return "a path on a continued line would land after `--`: rewrite it by hand"
    shown = [w for w in (*paths, *options) if w not in later]
    tail = [w.raw for w in options if w not in later]
    text = " ".join([runner, *(w.raw for w in paths)])
    if tail or later:
        text += " --" + "".join(f" {t}" for t in tail)
    end = max((w.end for w in (*run.head, *shown)), default=run.head[-1].end)
    if any(run.head[0].start < w.start < end for w in run.redirections):
        return "a redirection among pytest's arguments: rewrite it by hand"
    return CommandEdit(run.head[0].start, end, text, tuple(w.value for w in paths),
                       tuple(w.value for w in options), tuple(w.value for w in run.args))


@dataclass(frozen=True)
class CommandRewrite:
    text: str
    count: int
    left: list[tuple[int, int, str, str]]  # (line, column, command, why)


def rewrite_commands(relpath: str, text: str, runner: str,
                     prove: Callable[[CommandEdit], str | None] | None = None) -> CommandRewrite:
    """Every pytest command of a text file that can be rewritten exactly, in place; the others
    with why. `prove`, when given, says why a planned edit does not hold (None: it does)."""
    kind = source_kind(relpath)
    if kind is None:
        return CommandRewrite(text, 0, [])
    edits: list[CommandEdit] = []
    left = []
    for site in find_sites(kind, text, relpath):
        planned = plan_command(site, runner, text)
        if not isinstance(planned, str) and prove is not None:
            planned = prove(planned) or planned
        if isinstance(planned, str):
            left.append((site.line, site.column, site.command, planned))
        else:
            edits.append(planned)
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return CommandRewrite(text, len(edits), left)


def canon_command(command: str, runner: str) -> str | None:
    """`python -m pytest tests/unit -x` -> `canon run tests/unit -- -x` (None: no exact rewrite)."""
    result = rewrite_commands("command.sh", command, runner)
    return result.text if result.count else None
