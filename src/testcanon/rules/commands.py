"""Finding pytest invocations in shell-like text: scripts, Makefiles, CI YAML, tox, Dockerfiles.

Each kind of file is parsed for what it is (YAML with a YAML parser, tox.ini with configparser,
pyproject with tomllib); the command strings found are then split into simple commands on
`&&`, `||`, `;` and `|`, and a command runs pytest when, after environment assignments and
wrappers (`sudo`, `exec`, `time`, `uv run`, `poetry run`, `coverage run -m`), it is `pytest`,
`py.test`, or `python -m pytest`.
"""

from __future__ import annotations

import configparser
import json
import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import PurePosixPath

_SPLIT = re.compile(r"&&|\|\||;|\||\n")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# `pytest --collect-only` lists tests and runs none: a script that checks collection is no
# second way to run the suite
COLLECT_ONLY = frozenset({"--collect-only", "--co"})
_WRAPPERS = {"sudo", "exec", "time", "env", "nohup", "xvfb-run", "then", "do", "else", "{", "(", "!"}
_RUNNERS = (("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"), ("hatch", "run"),
            ("rye", "run"))
_PYTHON = re.compile(r"^(python|python3|python3\.\d+|py|pypy3?)$")

Hit = tuple[int, str]  # (line, the command text)


def source_kind(relpath: str) -> str | None:
    """Which parser a non-Python file needs, or None when it is not one we read."""
    path = PurePosixPath(relpath)
    name = path.name
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
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    while words and (_ASSIGNMENT.match(words[0]) or words[0] in _WRAPPERS or words[0].startswith("-")):
        words = words[1:]
    for runner, verb in _RUNNERS:
        if words[:2] == [runner, verb]:
            words = words[2:]
    if words[:3] == ["coverage", "run", "-m"]:
        return len(words) > 3 and words[3] == "pytest"
    if not words or COLLECT_ONLY & set(words):  # lists tests, runs none
        return False
    head = PurePosixPath(words[0]).name
    if head in ("pytest", "py.test"):
        return True
    if _PYTHON.match(head):
        rest = [w for w in words[1:] if w not in ("-u", "-B", "-X", "-O")]
        return len(rest) >= 2 and rest[0] == "-m" and rest[1] in ("pytest", "py.test")
    return False


def pytest_commands(text: str, first_line: int = 1) -> Iterator[Hit]:
    """Every pytest command in shell text, with the line it starts on."""
    logical: list[tuple[int, str]] = []
    buffer, start = "", first_line
    for number, line in enumerate(text.splitlines(), first_line):
        stripped = line.strip()
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        logical.append((start, buffer))
        buffer = ""
    if buffer:
        logical.append((start, buffer))
    for number, line in logical:
        if line.lstrip().startswith("#"):
            continue
        for command in _SPLIT.split(line):
            command = command.strip().lstrip("@-+").strip()
            if command and runs_pytest(command):
                yield number, command


def find_in_file(kind: str, text: str) -> list[Hit]:
    if kind == "shell":
        return list(pytest_commands(text))
    if kind == "makefile":
        return _makefile(text)
    if kind == "tox":
        return _tox(text)
    if kind == "dockerfile":
        return _dockerfile(text)
    if kind == "pyproject":
        return _pyproject(text)
    if kind == "yaml":
        return _yaml(text)
    return []


def _makefile(text: str) -> list[Hit]:
    hits = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("\t"):
            hits += pytest_commands(line.strip().rstrip("\\"), number)
    return hits


def _tox(text: str) -> list[Hit]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return list(pytest_commands(text))
    hits = []
    lines = text.splitlines()
    for section in parser.sections():
        if not section.startswith("testenv"):
            continue
        for key in ("commands", "commands_pre", "commands_post"):
            value = parser.get(section, key, fallback="")
            for command_line in value.splitlines():
                if command_line.strip() and runs_pytest(command_line.strip()):
                    hits.append((_line_of(lines, command_line.strip()), command_line.strip()))
    return hits


def _dockerfile(text: str) -> list[Hit]:
    hits = []
    joined: list[tuple[int, str]] = []
    buffer, start = "", 1
    for number, line in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        joined.append((start, buffer + line))
        buffer = ""
    for number, line in joined:
        match = re.match(r"\s*(RUN|CMD|ENTRYPOINT)\s+(.*)$", line, re.IGNORECASE)
        if not match:
            continue
        body = match.group(2).strip()
        if body.startswith("["):
            try:
                body = " ".join(json.loads(body))
            except ValueError:
                pass
        hits += [(number, command) for _, command in pytest_commands(body, number)]
    return hits


def _pyproject(text: str) -> list[Hit]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    tool = data.get("tool", {})
    tables = [tool.get("poe", {}).get("tasks", {}), tool.get("taskipy", {}).get("tasks", {}),
              tool.get("pdm", {}).get("scripts", {})]
    tables += [env.get("scripts", {}) for env in tool.get("hatch", {}).get("envs", {}).values()
               if isinstance(env, dict)]
    lines = text.splitlines()
    hits = []
    for table in tables:
        for value in table.values() if isinstance(table, dict) else ():
            for command in _strings(value):
                for _, found in pytest_commands(command):
                    hits.append((_line_of(lines, command.splitlines()[0]), found))
    return hits


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


def _yaml(text: str) -> list[Hit]:
    import yaml

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    hits: list[Hit] = []

    def visit(node, key: str | None) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                visit(v, k.value if isinstance(k, yaml.ScalarNode) else None)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                visit(item, key)
        elif isinstance(node, yaml.ScalarNode) and key in _YAML_COMMAND_KEYS and isinstance(node.value, str):
            first = node.start_mark.line + 1
            if node.style in ("|", ">"):
                first += 1  # the text starts on the line after the indicator
            text_value = node.value if node.style != ">" else node.value.replace("\n", " ")
            hits.extend(pytest_commands(text_value, first))

    if root is not None:
        visit(root, None)
    return hits


def _line_of(lines: list[str], needle: str) -> int:
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return 1
