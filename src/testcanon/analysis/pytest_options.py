"""pytest's command line, read statically: which words are paths, which are options and their values.

Reading a command such as `pytest tests --run-optional no_jupyter -n auto --cov` needs to know
which options take a value (`-n auto`) and which do not (`--cov-append`). The tables are pytest's
own options and those of the common plugins (xdist, cov, timeout, rerunfailures, ...). A word
after an option these tables do not know is ambiguous (its value, or a path), and the caller is
told so rather than guessing: CANON202's rewrite (`migrate/runner_bypass.py`) and `canon init`'s
reading of the project's own invocation (`adopt/invocation.py`) both refuse ambiguity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Options that take a value (`--cov` takes one when the next word is not an option).
VALUE_OPTIONS = frozenset("""
-k -m -r -W -n --tb --deselect --ignore --ignore-glob --basetemp --junitxml --junit-xml --junit-prefix
--durations --durations-min --maxfail --timeout --timeout-method --cov --cov-report --cov-config
--cov-fail-under --cov-context --log-level --log-cli-level --log-file --log-file-level --log-format
--log-date-format --log-cli-format --log-cli-date-format --capture --dist --maxprocesses --numprocesses
--reruns --reruns-delay --only-rerun --color --code-highlight --html --json-report-file --benchmark-json
--benchmark-save --benchmark-compare --randomly-seed --lfnf --last-failed-no-failures --tx --rsyncdir
--count --asyncio-mode --verbosity --show-capture --doctest-glob --doctest-report --run-optional
--splits --group --junit-family --report-log --django-settings --ds --dc --base-url --driver --browser
-c --config-file --rootdir -p -o --override-ini --confcutdir --import-mode
""".split())  # noqa: SIM905
FLAGS = frozenset("""
-v -vv -vvv -q -qq -s -x -l -f --verbose --quiet --showlocals --lf --last-failed --ff --failed-first --nf
--new-first --sw --stepwise --sw-skip --stepwise-skip --exitfirst --strict-markers --strict --strict-config
--runxfail --no-header --no-summary --disable-warnings --disable-pytest-warnings --setup-show --setup-only
--setup-plan --full-trace --fulltrace --pdb --trace --doctest-modules --doctest-continue-on-failure
--cache-clear --cache-show --continue-on-collection-errors --cov-append --no-cov --no-cov-on-fail
--cov-branch --looponfail --forked --benchmark-skip --benchmark-disable --benchmark-only
--benchmark-autosave --codspeed --no-cov-on-fail --randomly-dont-reorganize --instafail --reuse-db
--create-db --nomigrations --headed --durations-only --force-sugar
""".split())  # noqa: SIM905
# They change how pytest reads the project (its configuration, rootdir, plugins, import mode).
CONFIG_OPTIONS = frozenset(["-c", "--config-file", "--rootdir", "-p", "--pyargs", "--confcutdir", "-o",
                            "--override-ini", "--noconftest", "--import-mode", "-P", "--debug"])
_SHORT_WITH_VALUE = frozenset(o for o in VALUE_OPTIONS if len(o) == 2)


@dataclass(frozen=True)
class Arguments:
    """pytest's arguments split: the positions of the paths, and of each option with its value."""

    paths: tuple[int, ...]
    options: tuple[tuple[int, ...], ...]  # (the option's position,) or (option, value)


def option_name(word: str) -> str:
    """`--tb=short` -> `--tb`; `-kexpr` -> `-k`; `-n` -> `-n`."""
    if word.startswith("--"):
        return word.split("=", 1)[0]
    return word[:2] if word[:2] in _SHORT_WITH_VALUE else word


def split_arguments(words: Sequence[str]) -> Arguments | str:
    """Split pytest's arguments, or say why that cannot be done exactly (an option not known to
    take no value followed by a word that may be its value or a path)."""
    paths: list[int] = []
    options: list[tuple[int, ...]] = []
    i = 0
    while i < len(words):
        value = words[i]
        if not value.startswith("-") or value == "-":
            paths.append(i)
            i += 1
            continue
        name = value.split("=", 1)[0]
        if "=" in value or (not value.startswith("--") and len(value) > 2 and value[:2] in _SHORT_WITH_VALUE):
            options.append((i,))  # `--tb=short`, `-kexpr`, `-rA`: the value is attached
            i += 1
            continue
        if name in VALUE_OPTIONS:
            takes = name != "--cov" or (i + 1 < len(words) and not words[i + 1].startswith("-"))
            if takes and i + 1 < len(words):
                options.append((i, i + 1))
                i += 2
            else:
                options.append((i,))
                i += 1
            continue
        options.append((i,))
        i += 1
        bundled = not value.startswith("--") and all(f"-{c}" in FLAGS for c in value[1:])  # `-vx`
        known_flag = name in FLAGS or bundled
        if not known_flag and i < len(words) and not words[i].startswith("-"):
            return (f"`{value}` is not an option known to take no value: `{words[i]}` after it "
                    "may be its value or a path")
    return Arguments(tuple(paths), tuple(options))
