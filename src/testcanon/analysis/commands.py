"""Finding pytest runs in scripts, Makefiles, tox, CI YAML, Dockerfiles, pre-commit and pyproject.

Each kind of file is read for what it is: tox by its sections and keys (only `commands*` of
`testenv` sections hold commands, never `deps`; a factor prefix `unit: ` is not part of the
command), Makefiles by their recipes and variables (`$(PYTEST)` defined as a pytest command),
YAML with a YAML parser (line and column of each block line), Dockerfiles by their
`RUN`/`CMD`/`ENTRYPOINT`, pyproject by its task tables. The text of each command is then read
like a shell does (`analysis.shell_words`). Every `CommandSite` carries the exact line and column where
the command starts, its words with their offsets in the file (for an in-place rewrite), and,
when it may not be rewritten whatever its arguments, why (`problem`).

Why one module past 400 lines: one reader per kind of file (tox, Makefile, CI YAML, Dockerfile,
pre-commit, pyproject), each small, all answering the same question with the same shell parsing.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from testcanon.analysis.shell_words import RUNS_NO_TEST, Invocation, Word, invocation, simple_commands

__all__ = ["RUNS_NO_TEST", "CommandSite", "find_in_file", "find_sites", "metric_kind", "runs_pytest",
           "source_kind"]

Hit = tuple[int, str]  # (line, the command text)


@dataclass(frozen=True)
class CommandSite:
    """One pytest run in a text file."""

    line: int  # 1-based, where the command starts
    column: int  # 1-based
    end_line: int
    end_column: int
    command: str  # the command as written (continuation lines joined)
    kind: str  # the file kind (`source_kind`)
    run: Invocation  # its words, with offsets into the file
    problem: str | None = None  # why no rewrite can be exact, whatever the arguments
    multiline: bool = False  # its words span several physical lines
    shell: bool = True  # a shell reads it (tox does not)


class _Text:
    """A piece of a file read as one logical text: offsets map back to the file."""

    def __init__(self, pieces: list[tuple[str, int]]) -> None:
        # pieces: (text, file offset of its first character), joined with a space between
        self.text = ""
        self.anchors: list[tuple[int, int]] = []  # (logical offset, file offset)
        for index, (piece, offset) in enumerate(pieces):
            if index:
                self.text += " "
            self.anchors.append((len(self.text), offset))
            self.text += piece

    def file_offset(self, logical: int) -> int:
        base, offset = self.anchors[0]
        for start, where in self.anchors:
            if start > logical:
                break
            base, offset = start, where
        return offset + (logical - base)


def source_kind(relpath: str) -> str | None:
    """Which reader a non-Python file needs, or None when it is not one we read."""
    name = PurePosixPath(relpath).name
    if name.endswith((".sh", ".bash")):
        return "shell"
    if name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk"):
        return "makefile"
    if name == "tox.ini":
        return "tox"
    if name.startswith("Dockerfile") or name.endswith(".dockerfile"):
        return "dockerfile"
    if name == "pyproject.toml":
        return "pyproject"
    if name in (".pre-commit-config.yaml", ".pre-commit-config.yml", ".pre-commit-hooks.yaml"):
        return "pre-commit"
    if name.endswith((".yml", ".yaml")):
        return "yaml"
    return None


def metric_kind(relpath: str, kind: str) -> str:
    """The bucket of the runner_bypasses split: python, shell, ci_yaml or other."""
    if kind in ("shell", "makefile"):
        return "shell"
    if kind == "yaml" and (".github/workflows/" in f"/{relpath}" or relpath.endswith(".gitlab-ci.yml")
                           or "/.circleci/" in f"/{relpath}" or relpath.endswith("azure-pipelines.yml")):
        return "ci_yaml"
    return "other"


def runs_pytest(command: str) -> bool:
    """Whether shell text runs pytest (not only lists its tests)."""
    return any(invocation(words) is not None for words in simple_commands(command))


def find_in_file(kind: str, text: str) -> list[Hit]:
    return [(site.line, site.command) for site in find_sites(kind, text)]


def find_sites(kind: str, text: str, relpath: str = "") -> list[CommandSite]:
    reader = _READERS.get(kind)
    return sorted(reader(text, relpath), key=lambda s: (s.line, s.column)) if reader else []


# --- turning a logical text into sites -----------------------------------------------------
def _sites(text: str, piece: _Text, kind: str, *, shell: bool = True, problem: str | None = None,
           resolve: dict[str, tuple[int, str]] | None = None) -> Iterator[CommandSite]:
    for words in simple_commands(piece.text, shell=shell):
        moved = [_in_file(w, piece) for w in words]
        run = invocation(moved)
        why = problem
        if run is None and resolve:
            run, why = _through_variable(moved, resolve, problem)
        if run is None:
            continue
        if run.elsewhere is not None and why is None:
            why = (f"runs inside {run.elsewhere}, where `canon` is not installed and the project's"
                   " configuration may differ")
        first, last = moved[0], moved[-1]
        line, column = _position(text, first.start)
        end_line, end_column = _position(text, last.end)
        command = piece.text[words[0].start:words[-1].end]
        yield CommandSite(line, column, end_line, end_column,
                          command, kind, run, why, end_line != line, shell)


def _in_file(word: Word, piece: _Text) -> Word:
    return Word(word.raw, word.value, piece.file_offset(word.start), piece.file_offset(word.end - 1) + 1,
                word.expands, word.redirection)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _through_variable(words: list[Word], variables: dict[str, tuple[int, str]],
                      problem: str | None) -> tuple[Invocation | None, str | None]:
    """`$(PYTEST) tests` where the Makefile defines PYTEST as a pytest command."""
    for index, word in enumerate(words):
        match = re.fullmatch(r"\$[({]([A-Za-z_][\w.]*)[)}]", word.raw)
        if not match or match.group(1) not in variables:
            if word.raw.startswith("-") or "=" in word.raw:
                continue
            return None, problem
        line, value = variables[match.group(1)]
        if runs_pytest(value) or (re.fullmatch(r"\S*python[\d.]*", value.strip()) and
                                  [w.value for w in words[index + 1:index + 3]] == ["-m", "pytest"]):
            run = Invocation(tuple(words[:index]), (word,), tuple(words[index + 1:]))
            return run, problem or (f"runs pytest through the make variable {match.group(1)} (line {line}: "
                                    f"`{value.strip()[:50]}`): change the variable, or the recipe, by hand")
        return None, problem
    return None, problem


def _lines(text: str) -> list[tuple[int, str]]:
    """Each line with the file offset of its first character."""
    result, offset = [], 0
    for line in text.splitlines(keepends=True):
        result.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return result


def _continued(lines: list[tuple[int, str]], index: int, strip: int = 0) -> tuple[list[tuple[str, int]], int]:
    """The logical line starting at `index` (`\\`-continued lines joined): pieces and the next index."""
    pieces = []
    while index < len(lines):
        offset, line = lines[index]
        body = line[strip:] if strip else line
        start = offset + (len(line) - len(body))
        if body.rstrip().endswith("\\") and index + 1 < len(lines):
            pieces.append((body.rstrip()[:-1], start))
            index += 1
            strip = 0
            continue
        pieces.append((body, start))
        return pieces, index + 1
    return pieces, index


# --- the readers ---------------------------------------------------------------------------
def _shell(text: str, relpath: str) -> Iterator[CommandSite]:
    yield from _sites(text, _Text([(text, 0)]), "shell")


_MAKE_VARIABLE = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][\w.]*)\s*"
                            r"(?::{1,3}=|\?=|\+=|!=|=)\s*(.*)$")


def _makefile(text: str, relpath: str) -> Iterator[CommandSite]:
    lines = _lines(text)
    variables: dict[str, tuple[int, str]] = {}
    for number, (_, line) in enumerate(lines, 1):
        match = _MAKE_VARIABLE.match(line)
        if match and not line.startswith("\t"):
            variables[match.group(1)] = (number, match.group(2))
    index = 0
    while index < len(lines):
        offset, line = lines[index]
        if not line.startswith("\t"):
            index += 1
            continue
        pieces, index = _continued(lines, index, strip=1)
        body, start = pieces[0]
        stripped = body.lstrip("@-+ \t")  # recipe prefixes: silent, ignore errors, always run
        pieces[0] = (stripped, start + len(body) - len(stripped))
        yield from _sites(text, _Text(pieces), "makefile", resolve=variables)


_TOX_FACTORS = re.compile(r"^([!\w{},.+-]+):\s+")
_TOX_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*[=:]\s?(.*)$")


def _tox(text: str, relpath: str) -> Iterator[CommandSite]:
    lines = _lines(text)
    section = ""
    # section -> key -> (line index, text, offset)
    sections: dict[str, dict[str, list[tuple[int, str, int]]]] = {}
    key = ""
    for index, (offset, line) in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line.startswith("[") and stripped.endswith("]"):
            section, key = stripped[1:-1].strip(), ""
            sections.setdefault(section, {})
            continue
        match = _TOX_KEY.match(line) if not line[0].isspace() else None
        if match:
            key = match.group(1)
            value = match.group(2)
            first = [(index, value, offset + len(line) - len(value))] if value.strip() else []
            sections.setdefault(section, {})[key] = first
        elif key and line[0].isspace():
            sections[section][key].append((index, stripped, offset + len(line) - len(line.lstrip())))
    for name, keys in sections.items():
        if not (name == "testenv" or name.startswith("testenv:")):
            continue
        deps = " ".join(t for _, t, _ in keys.get("deps", sections.get("testenv", {}).get("deps", [])))
        if "{[testenv]deps}" in deps:
            deps += " ".join(t for _, t, _ in sections.get("testenv", {}).get("deps", []))
        missing = None if re.search(r"(?<![\w-])testcanon(?![\w-])", deps) else (
            f"testcanon is not in the deps of tox's [{name}], so `canon` would not exist there: add it, "
            "then migrate again")
        for command_key in ("commands", "commands_pre", "commands_post"):
            entries = keys.get(command_key, [])
            i = 0
            while i < len(entries):
                _, value, offset = entries[i]
                pieces = [(value, offset)]
                while value.rstrip().endswith("\\") and i + 1 < len(entries):
                    pieces[-1] = (value.rstrip()[:-1], pieces[-1][1])
                    i += 1
                    _, value, offset = entries[i]
                    pieces.append((value, offset))
                i += 1
                first, start = pieces[0]
                factor = _TOX_FACTORS.match(first)
                if factor:  # `py3{11,12}-unit: pytest ...`: the command is what follows
                    first, start = first[factor.end():], start + factor.end()
                stripped = first.lstrip("- ")  # `- cmd` ignores the exit code
                pieces[0] = (stripped, start + len(first) - len(stripped))
                yield from _sites(text, _Text(pieces), "tox", shell=False, problem=missing)


def _dockerfile(text: str, relpath: str) -> Iterator[CommandSite]:
    lines = _lines(text)
    index = 0
    why = "runs inside the image this Dockerfile builds, where `canon` is not installed"
    while index < len(lines):
        pieces, index = _continued(lines, index)
        body, start = pieces[0]
        match = re.match(r"\s*(RUN|CMD|ENTRYPOINT)\s+", body, re.IGNORECASE)
        if not match:
            continue
        pieces[0] = (body[match.end():], start + match.end())
        rest = pieces[0][0].strip()
        if rest.startswith("["):  # exec form: a JSON list of words, run without a shell
            try:
                words = json.loads(" ".join(p for p, _ in pieces))
            except ValueError:
                words = None
            if isinstance(words, list) and runs_pytest(" ".join(map(str, words))):
                line, column = _position(text, pieces[0][1])
                run = Invocation((), (Word(str(words[0]), str(words[0]), pieces[0][1], pieces[0][1]),), ())
                yield CommandSite(line, column, line, column,
                                  " ".join(map(str, words)), "dockerfile", run, why)
            continue
        yield from _sites(text, _Text(pieces), "dockerfile", problem=why)


def _pyproject(text: str, relpath: str) -> Iterator[CommandSite]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    tool = data.get("tool", {})
    tables = {"tool.poe.tasks": tool.get("poe", {}).get("tasks", {}),
              "tool.taskipy.tasks": tool.get("taskipy", {}).get("tasks", {}),
              "tool.pdm.scripts": tool.get("pdm", {}).get("scripts", {})}
    for env_name, env in tool.get("hatch", {}).get("envs", {}).items():
        if isinstance(env, dict):
            tables[f"tool.hatch.envs.{env_name}.scripts"] = env.get("scripts", {})
    lines = _lines(text)
    for header, table in tables.items():
        if not isinstance(table, dict) or not table:
            continue
        start = next((i for i, (_, line) in enumerate(lines) if line.strip().startswith(f"[{header}")), 0)
        for value in table.values():
            for command in _strings(value):
                for index in range(start, len(lines)):
                    offset, line = lines[index]
                    column = line.find(command)
                    if column >= 0 and command:
                        yield from _sites(text, _Text([(command, offset + column)]), "pyproject")
                        break
                else:
                    if runs_pytest(command):
                        line, column = _position(text, lines[start][0] if lines else 0)
                        run = invocation(simple_commands(command)[0]) or Invocation((), (), ())
                        yield CommandSite(line, column, line, column, command, "pyproject", run,
                                   "a multi-line or escaped TOML string: rewrite it by hand")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key in ("cmd", "shell", "script", "run", "call"):
            if key in value:
                yield from _strings(value[key])


_YAML_COMMAND_KEYS = {"run", "script", "before_script", "after_script", "entry", "command",
                      "commands", "args"}


def _yaml(text: str, relpath: str, *, pre_commit: bool = False) -> Iterator[CommandSite]:
    import yaml

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return
    lines = _lines(text)
    compose = PurePosixPath(relpath).name.startswith(("docker-compose", "compose"))
    found: list[CommandSite] = []

    def visit(node: yaml.Node, key: str | None, plain_hook: bool = False) -> None:
        if isinstance(node, yaml.MappingNode):
            keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
            passes = keys.get("pass_filenames")
            plain = "args" not in keys and isinstance(passes, yaml.ScalarNode) and passes.value == "false"
            for k, v in node.value:
                visit(v, k.value if isinstance(k, yaml.ScalarNode) else None, plain)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                visit(item, key)
        elif isinstance(node, yaml.ScalarNode) and key in _YAML_COMMAND_KEYS and isinstance(node.value, str):
            problem = None
            if (pre_commit or key == "entry") and not (key == "entry" and plain_hook):
                problem = ("a pre-commit hook: pre-commit adds `args` and the changed files' names to it "
                           "(unless `pass_filenames: false`), so what it selects is decided per commit; "
                           "change it by hand")
            elif compose:
                problem = ("a compose service's command runs inside its container, where `canon` is not "
                           "installed")
            found.extend(_yaml_scalar(text, lines, node, problem))

    if root is not None:
        visit(root, None)
    yield from found


def _yaml_scalar(text: str, lines: list[tuple[int, str]], node: object,
                 problem: str | None) -> Iterator[CommandSite]:
    start = node.start_mark  # type: ignore[attr-defined]
    style = node.style  # type: ignore[attr-defined]
    value: str = node.value  # type: ignore[attr-defined]
    if style == "|":  # a literal block: each line of the value is a line of the file
        pieces = []
        for number, part in enumerate(value.split("\n")):
            index = start.line + 1 + number
            if index >= len(lines) or not part:
                continue
            offset, line = lines[index]
            pieces.append((index, part, offset + len(line) - len(part)))
        # one logical text per line, `\`-continued lines joined
        i = 0
        while i < len(pieces):
            joined = [(pieces[i][1], pieces[i][2])]
            while joined[-1][0].rstrip().endswith("\\") and i + 1 < len(pieces):
                joined[-1] = (joined[-1][0].rstrip()[:-1], joined[-1][1])
                i += 1
                joined.append((pieces[i][1], pieces[i][2]))
            i += 1
            yield from _sites(text, _Text(joined), "yaml", problem=problem)
        return
    offset = lines[start.line][0] + start.column if start.line < len(lines) else 0
    if style == ">" and start.line + 1 < len(lines):  # folded: the text starts on the next line
        first, line = lines[start.line + 1]
        offset = first + len(line) - len(line.lstrip())
    if style is None and "\n" not in value and text[offset:offset + len(value)] == value:
        yield from _sites(text, _Text([(value, offset)]), "yaml", problem=problem)
        return
    # folded, quoted or multi-line plain scalars: the value is not the file's text
    why = problem or ("a folded or quoted YAML scalar: its text in the file is not the command the shell "
                      "gets; rewrite it by hand")
    for words in simple_commands(value):
        run = invocation(words)
        if run is not None:
            line, column = _position(text, offset)
            yield CommandSite(line, column, line, column,
                              value[words[0].start:words[-1].end], "yaml", run, why)


_READERS = {
    "shell": _shell, "makefile": _makefile, "tox": _tox, "dockerfile": _dockerfile, "pyproject": _pyproject,
    "yaml": _yaml, "pre-commit": lambda text, relpath: _yaml(text, relpath, pre_commit=True),
}
