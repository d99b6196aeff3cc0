"""CANON201/202 codemods: `__main__` blocks that run tests go; script commands use `canon run`.

Shell, Makefile, tox, Dockerfile and CI YAML files are edited in place on the exact line the
check found, so comments and layout survive (no YAML re-serialisation).
"""

from __future__ import annotations

import re
import shlex

import libcst as cst

from testcanon.rules.commands import find_in_file, runs_pytest, source_kind

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


def canon_command(command: str, runner: str, markers_to_category: dict[str, str]) -> str:
    """`python -m pytest tests/unit -x -m e2e` -> `canon run tests/unit --category e2e -- -x`."""
    # CI template expressions (`${{ inputs.path }}`) are one word, substituted before any shell runs
    templates = _TEMPLATE.findall(command)
    for number, template in enumerate(templates):
        command = command.replace(template, f"__canon_template_{number}__", 1)
    rewritten = _canon_words(command, runner, markers_to_category)
    for number, template in enumerate(templates):
        rewritten = rewritten.replace(f"__canon_template_{number}__", template, 1)
    return rewritten


def _canon_words(command: str, runner: str, markers_to_category: dict[str, str]) -> str:
    words = shlex.split(command)
    index = next(i for i, w in enumerate(words) if w in ("pytest", "py.test") or w.endswith("/pytest")
                 or (w == "-m" and i + 1 < len(words) and words[i + 1] == "pytest"))
    prefix = words[:index] if words[index] != "-m" else words[: index - 1]
    args = words[index + (2 if words[index] == "-m" else 1):]
    paths, passthrough, categories = [], [], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-m" and i + 1 < len(args) and args[i + 1] in markers_to_category:
            categories.append(markers_to_category[args[i + 1]])
            i += 2
            continue
        if not arg.startswith("-") and not passthrough and ("/" in arg or arg.endswith(".py")
                                                              or arg.startswith(("tests", "test", "__canon_template_"))):
            paths.append(arg)
        else:
            passthrough.append(arg)
        i += 1
    prefix = [w for w in prefix if not re.match(r"^(python[\d.]*|py|pypy3?)$", w)]
    words = [*prefix, *paths]
    for category in categories:
        words += ["--category", category]
    if passthrough:
        words += ["--", *passthrough]
    return " ".join([*map(shlex.quote, prefix), runner, *map(shlex.quote, words[len(prefix):])])


def rewrite_text(relpath: str, text: str, runner: str, markers_to_category: dict[str, str]) -> tuple[str, int]:
    kind = source_kind(relpath)
    if kind is None:
        return text, 0
    hits = find_in_file(kind, text)
    if not hits:
        return text, 0
    lines = text.splitlines(keepends=True)
    changed = 0
    for line_number, command in hits:
        for index in range(line_number - 1, min(line_number + 5, len(lines))):
            line = lines[index]
            for candidate in _command_spans(line, command):
                if runs_pytest(candidate):
                    try:
                        replacement = canon_command(candidate, runner, markers_to_category)
                    except (ValueError, StopIteration):
                        continue
                    if line.rstrip().endswith("\\"):  # the command goes on over `\`-continued lines
                        if not _continues_with_options(lines, index):
                            continue  # paths there would land after `--`: no safe in-place rewrite
                        if " -- " not in f"{replacement} ":
                            replacement += " --"  # what follows is pytest's, as it was
                    lines[index] = line.replace(candidate, replacement, 1)
                    changed += 1
                    break
            else:
                continue
            break
    return "".join(lines), changed


def _continues_with_options(lines: list[str], index: int) -> bool:
    """Every continued line (ending in a backslash) after `index` starts with an option: `-v`, `--tb=short`."""
    while lines[index].rstrip().endswith("\\") and index + 1 < len(lines):
        index += 1
        if not lines[index].lstrip().startswith("-"):
            return False
    return True


_TEMPLATE = re.compile(r"\$\{\{.*?\}\}")


def _command_spans(line: str, command: str) -> list[str]:
    """The command as it appears on this line (exact, or its first line for continued ones),
    without a trailing shell comment."""
    command = re.sub(r"\s+#.*$", "", command)
    if command in line:
        return [command]
    first = command.split("\\")[0].strip()
    if first and first in line:
        return [first]
    if not line.rstrip().endswith("\\"):
        return []  # folded YAML and the like: the rest of the command is on lines we cannot see here
    body = line.rstrip().removesuffix("\\").rstrip()  # a continued command, joined without its `\`s
    for start in range(len(body)):
        if body[start:].strip() and command.startswith(body[start:]):
            return [body[start:].strip()]
    return []
