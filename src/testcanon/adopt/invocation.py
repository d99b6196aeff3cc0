"""The project's own test invocation: the options its tox and CI pass that `canon run` must pass too.

A project often runs its suite with options that bare `pytest` lacks and that decide which tests
run: psf/black's tox runs `pytest tests --run-optional no_jupyter`, without which its optional
tests are skipped. A workflow `canon init` writes in place of that invocation must pass them, or
CI silently runs fewer tests than before. So init reads every pytest command of the repository
(tox, Makefiles, CI YAML, scripts; `analysis/commands.py`), keeps those that run the whole suite
(every test root, no `-m`/`-k`/node-id selection, not inside a container), and proposes the options
that all of them pass, except what `canon run` decides itself or what only changes output:
parallelism, coverage, fail-fast, timeouts, reports, verbosity, and options that change how
pytest reads the project. The result is `[tool.testcanon.runner] pytest_args`, with each command
as evidence. Nothing is proposed when the commands disagree or one cannot be read exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from testcanon.analysis.commands import CommandSite, find_sites, source_kind
from testcanon.analysis.pytest_options import CONFIG_OPTIONS, option_name, split_arguments
from testcanon.config import Project
from testcanon.source import discover

# Files that hold commands a team runs its suite with (Dockerfiles run elsewhere; pre-commit never
# runs the suite; pyproject task tables are read too).
COMMAND_GLOBS = ("**/*.sh", "**/*.bash", "**/Makefile", "**/makefile", "**/GNUmakefile", "**/*.mk",
                 "**/tox.ini", "**/pyproject.toml", ".github/workflows/*.yml", ".github/workflows/*.yaml",
                 ".gitlab-ci.yml", ".circleci/*.yml", "azure-pipelines.yml")
# A run of part of the suite, or a developer's interactive run: not the project's invocation.
_SELECTING = frozenset("""
-m -k --deselect --lf --last-failed --ff --failed-first --nf --new-first --sw --stepwise --sw-skip
--stepwise-skip --lfnf --last-failed-no-failures --pdb --trace --looponfail -f --collect-only --co
""".split())  # noqa: SIM905
# What `canon run` decides itself, or what changes only what pytest prints or writes.
_RUNNER_OWNS = frozenset("""
-n --numprocesses --dist --maxprocesses --tx --rsyncdir -x --exitfirst --maxfail --timeout
--timeout-method --junitxml --junit-xml --junit-prefix --junit-family --report-log --html
--json-report-file -v -vv -vvv -q -qq --verbose --quiet --verbosity -r --tb --color --code-highlight
--durations --durations-min -l --showlocals --no-header --no-summary --full-trace --fulltrace
--setup-show -s --capture --show-capture --disable-warnings --disable-pytest-warnings --instafail
--force-sugar --cache-clear --basetemp
""".split())  # noqa: SIM905
_POSARGS = re.compile(r"^\{posargs(?::(?P<default>.*))?\}$", re.DOTALL)
_TOX_ENV = re.compile(r"^\{env:[A-Za-z_]\w*:(?P<default>[^{}]*)\}$")


def project_pytest_args(project: Project, test_roots: Iterable[str]) -> tuple[list[str], str] | None:
    """The options every whole-suite pytest command of the repository passes (that `canon run`
    does not decide itself), and the evidence: the commands. None when there is none to propose."""
    roots = [root.strip("/") for root in test_roots]
    runs: list[tuple[str, list[list[str]]]] = []
    for source in discover(project, include=list(COMMAND_GLOBS)):
        kind = source_kind(source.relpath)
        if kind is None or kind in ("dockerfile", "pre-commit"):
            continue
        try:
            text = source.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for site in find_sites(kind, text, source.relpath):
            options = _whole_suite_options(site, roots)
            if options is not None:
                runs.append((f"{source.relpath}:{site.line} `{_short(site.command)}`", options))
    if not runs:
        return None
    common = [group for group in runs[0][1] if all(group in options for _, options in runs[1:])]
    if not common:
        return None
    more = f" and {len(runs) - 3} more" if len(runs) > 3 else ""
    where = "; ".join(evidence for evidence, _ in runs[:3]) + more
    return [word for group in common for word in group], f"passed by every run of the whole suite: {where}"


def _whole_suite_options(site: CommandSite, roots: list[str]) -> list[list[str]] | None:
    """The option groups of a command that runs the whole suite here, else None."""
    if site.run.elsewhere and site.run.elsewhere != "`coverage run`":
        return None
    words = _expanded([(w.raw, w.value, w.expands) for w in site.run.args])
    if words is None:
        return None
    split = split_arguments(words)
    if isinstance(split, str):
        return None
    paths = [PurePosixPath(words[i].removeprefix("./")).as_posix().rstrip("/") for i in split.paths]
    if any("::" in path for path in paths):
        return None
    if paths and not all(any(root == p or root.startswith(f"{p}/") or p == "." for p in paths)
                         for root in roots):
        return None  # a part of the suite
    groups = [[words[i] for i in group] for group in split.options]
    names = [option_name(group[0]) for group in groups]
    if any(name in _SELECTING for name in names):
        return None
    return [group for group, name in zip(groups, names, strict=True)
            if name not in _RUNNER_OWNS and name not in CONFIG_OPTIONS and not _coverage(name)
            and not (name[:2] in ("-c", "-p", "-o", "-P") and not name.startswith("--"))]


def _expanded(words: list[tuple[str, str, bool]]) -> list[str] | None:
    """The words as they are when the command runs with no extra arguments: tox's `{posargs}`
    is nothing (or its default), `{env:X:default}` its default; any other expansion (a shell
    variable) is unknown here, and so is the command."""
    out: list[str] = []
    i = 0
    while i < len(words):
        raw, value, expands = words[i]
        if raw.startswith("{posargs"):
            j = i
            while not words[j][0].endswith("}") and j + 1 < len(words):
                j += 1
            match = _POSARGS.match(" ".join(w[0] for w in words[i:j + 1]))
            if match is None:
                return None
            out.extend((match.group("default") or "").split())
            i = j + 1
            continue
        env = _TOX_ENV.match(raw)
        if env:
            out.extend(env.group("default").split())
        elif expands:
            return None
        else:
            out.append(value)
        i += 1
    return out


def _coverage(name: str) -> bool:
    return name.startswith(("--cov", "--no-cov"))


def _short(command: str) -> str:
    flat = " ".join(command.split())
    return flat if len(flat) <= 70 else flat[:67] + "..."
