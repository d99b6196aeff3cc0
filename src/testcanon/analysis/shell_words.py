"""Shell command text read the way the shell reads it: words with their quoting, positions and
whether the shell changes them when it runs (`$VAR`, `$(...)`, backquotes, globs, braces, `~`).

CANON202 needs more than `shlex.split`: `pytest tests $(cat args)` selects tests only known
when it runs, `2>&1` is a redirection and not an argument, and a rewrite must reuse each word
exactly as it was written (quotes included). `simple_commands` splits text into simple commands
on unquoted `&&`, `||`, `;`, `|`, `&`, newlines and parentheses (not inside quotes or `$(...)`);
with `shell=False` (tox, which runs no shell) only quoting is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Word:
    raw: str  # as written, quotes included
    value: str  # after quote removal
    start: int  # offsets in the text read
    end: int
    expands: bool = False  # the shell changes it at run time
    redirection: bool = False  # `>`, `2>&1`, `<` ...: an operator, not an argument


__all__ = ["RUNS_NO_TEST", "PYTHON", "Invocation", "Word", "invocation", "simple_commands"]

_GLOB = set("*?[")
_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "\n", "(", ")")


def simple_commands(text: str, *, shell: bool = True) -> list[list[Word]]:
    """The simple commands of `text`, each a list of words (comments dropped)."""
    commands: list[list[Word]] = []
    current: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":  # a continued line
            i += 2
            continue
        if shell and c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if shell and (c in ";|()\n" or (c == "&" and not text.startswith("&>", i))):
            if current:
                commands.append(current)
                current = []
            i += 2 if text.startswith(("&&", "||", ";;"), i) else 1
            continue
        if not shell and c == "\n":
            if current:
                commands.append(current)
                current = []
            i += 1
            continue
        if shell and (c in "<>" or text.startswith("&>", i)):
            start = i
            if current and current[-1].raw.isdigit() and current[-1].end == i:  # `2>`
                start = current.pop().start
            i += 2 if text.startswith(("&>", ">>", "<<", ">&", "<&", ">|"), i) else 1
            while i < n and (text[i].isdigit() or text[i] == "-"):
                i += 1
            current.append(Word(text[start:i], text[start:i], start, i, redirection=True))
            continue
        word, i = _word(text, i, shell)
        current.append(word)
    if current:
        commands.append(current)
    return commands


def _word(text: str, i: int, shell: bool) -> tuple[Word, int]:
    start, n = i, len(text)
    value: list[str] = []
    expands = False
    stops = " \t\r\n;|&()<>" if shell else " \t\r\n"
    while i < n and text[i] not in stops:
        c = text[i]
        if c == "\\" and i + 1 < n:
            value.append(text[i + 1])
            i += 2
        elif c == "'":
            end = text.find("'", i + 1)
            end = n if end < 0 else end
            value.append(text[i + 1:end])
            i = end + 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 2
                    continue
                if shell and text[j] in "$`":
                    expands = True
                j += 1
            value.append(text[i + 1:j])
            i = j + 1
        elif shell and c == "$":
            expands = True
            j = _expansion_end(text, i)
            value.append(text[i:j])
            i = j
        elif shell and c == "`":
            expands = True
            end = text.find("`", i + 1)
            j = n if end < 0 else end + 1
            value.append(text[i:j])
            i = j
        elif c == "{":  # brace expansion, tox's {posargs}, make's ${VAR}: decided at run time
            expands = True
            end = _closing(text, i, "{", "}")
            value.append(text[i:end])
            i = end
        else:
            if shell and (c in _GLOB or (c == "~" and i == start)):
                expands = True
            value.append(c)
            i += 1
    return Word(text[start:i], "".join(value), start, i, expands=expands), i


def _expansion_end(text: str, i: int) -> int:
    """The end of `$name`, `${...}`, `$(...)`, `$((...))` starting at `i`."""
    n = len(text)
    if i + 1 < n and text[i + 1] == "(":
        return _closing(text, i + 1, "(", ")")
    if i + 1 < n and text[i + 1] == "{":
        return _closing(text, i + 1, "{", "}")
    j = i + 1
    if j < n and (text[j].isdigit() or text[j] in "@*#?$!-"):
        return j + 1
    while j < n and (text[j].isalnum() or text[j] == "_"):
        j += 1
    return j


def _closing(text: str, i: int, opening: str, closing: str) -> int:
    """Just past the bracket matching `text[i]`, skipping quoted text."""
    depth, j, n = 0, i, len(text)
    while j < n:
        c = text[j]
        if c in "'\"":
            end = text.find(c, j + 1)
            j = n if end < 0 else end + 1
            continue
        if c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return n


# --- what a simple command runs ------------------------------------------------------------
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = {"sudo", "exec", "time", "env", "nohup", "xvfb-run", "then", "do", "else", "elif", "if", "while",
             "until", "{", "!", "command", "nice", "timeout", "catchsegv", "stdbuf", "-"}
_RUNNERS = {"uv": "run", "poetry": "run", "pipenv": "run", "pdm": "run", "hatch": "run", "rye": "run"}
PYTHON = re.compile(r"^(python|python3|python3\.\d+|py|pypy3?)$")
# With any of these pytest runs no test: it lists them, prints its version, help, fixtures or markers.
RUNS_NO_TEST = frozenset({"--collect-only", "--co", "--version", "-V", "--help", "-h", "--fixtures",
                          "--funcargs", "--fixtures-per-test", "--markers"})
_REMOTE = {"docker": "a container (`docker`)", "podman": "a container (`podman`)",
           "docker-compose": "a container (`docker-compose`)", "kubectl": "a pod (`kubectl`)",
           "ssh": "another machine (`ssh`)", "vagrant": "a virtual machine (`vagrant`)",
           "nox": "a nox session", "tox": "a tox environment"}
_SHELLS = {"sh", "bash", "zsh", "dash"}


@dataclass(frozen=True)
class Invocation:
    """A simple command that runs pytest: `prefix` (assignments, wrappers), `head` (the words
    that name pytest), `args` (pytest's), and where it runs when that is not here."""

    prefix: tuple[Word, ...]
    head: tuple[Word, ...]
    args: tuple[Word, ...]
    elsewhere: str | None = None  # "a container (`docker`)", "a `sh -c` string", "coverage run" ...
    redirections: tuple[Word, ...] = ()  # `> out.txt`, `2>&1`: operators and their targets


def _without_redirections(words: list[Word]) -> tuple[list[Word], list[Word]]:
    plain: list[Word] = []
    redirections: list[Word] = []
    target = False
    for word in words:
        if word.redirection:
            redirections.append(word)
            target = not re.search(r"&(\d+|-)$", word.raw)  # `2>&1` names no file
        elif target:
            redirections.append(word)
            target = False
        else:
            plain.append(word)
    return plain, redirections


def invocation(words: list[Word]) -> Invocation | None:
    """The pytest run in `words`, or None (also for `--collect-only`, which runs no test)."""
    plain, redirections = _without_redirections(words)
    found = _invocation(plain)
    if found is None or not redirections:
        return found
    return Invocation(found.prefix, found.head, found.args, found.elsewhere, tuple(redirections))


def _invocation(plain: list[Word]) -> Invocation | None:
    i = 0
    while i < len(plain):
        word = plain[i].value
        if _ASSIGNMENT.match(plain[i].raw) or word in _WRAPPERS or (i and word.startswith("-") and
                                                                      plain[i - 1].value in _WRAPPERS):
            i += 1
            continue
        if word in _RUNNERS and i + 1 < len(plain) and plain[i + 1].value == _RUNNERS[word]:
            i += 2
            continue
        break
    rest = plain[i:]
    if not rest:
        return None
    first = PurePosixPath(rest[0].value).name
    if first in _REMOTE or first in _SHELLS:
        nested = _nested(rest)
        if nested is None:
            return None
        where = _REMOTE.get(first, f"a `{first} -c` string")
        return Invocation(tuple(plain[:i]), nested.head, nested.args, where)
    coverage = [w.value for w in rest[:3]] == ["coverage", "run", "-m"]
    if coverage and len(rest) > 3 and rest[3].value == "pytest":
        return _checked(Invocation(tuple(plain[:i]), tuple(rest[:4]), tuple(rest[4:]), "`coverage run`"))
    if first in ("pytest", "py.test"):
        return _checked(Invocation(tuple(plain[:i]), (rest[0],), tuple(rest[1:])))
    if PYTHON.match(first) or first == "{envpython}" or rest[0].raw in ("$(PYTHON)", "${PYTHON}"):
        j = 1
        while j < len(rest) and rest[j].value.startswith("-") and rest[j].value != "-m":
            j += 2 if rest[j].value in ("-W", "-X") else 1  # options of Python itself, with their value
        if j + 1 < len(rest) and rest[j].value == "-m" and rest[j + 1].value in ("pytest", "py.test"):
            return _checked(Invocation(tuple(plain[:i]), tuple(rest[:j + 2]), tuple(rest[j + 2:])))
    return None


def _checked(found: Invocation) -> Invocation | None:
    return None if RUNS_NO_TEST & {w.value for w in found.args} else found


def _nested(words: list[Word]) -> Invocation | None:
    """pytest run by a launcher: `docker run IMAGE pytest ...`, `sh -c "pytest ..."`."""
    for index, word in enumerate(words[1:], 1):
        if word.value in ("-c", "-lc", "-ec") and index + 1 < len(words) and \
                PurePosixPath(words[0].value).name in _SHELLS:
            for command in simple_commands(words[index + 1].value):
                found = invocation(command)
                if found is not None:
                    return found
            return None
        found = invocation(words[index:])
        if found is not None:
            return found
    return None
