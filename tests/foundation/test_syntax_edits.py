"""An edit of a compiling module is judged from its first changed statement on, never wrongly."""

from __future__ import annotations

import ast
import random

from testcanon.syntax import compiled_tree
from testcanon.syntax.edits import CompilingModule

MODULE = '''\
"""A test module."""
import os


@decorate
def test_a():
    value = {
        "key": os.sep,
    }
    assert value


class TestB:
    def test_b(self):
        text = """many
lines"""
        assert text


if os.sep:
    FLAG = 1

x = 2
'''


def _module(text: str = MODULE) -> CompilingModule:
    return CompilingModule(text.splitlines(keepends=True), ast.parse(text))


def _edited(text: str, old: str, new: str) -> list[str]:
    assert old in text
    return text.replace(old, new, 1).splitlines(keepends=True)


def test_a_break_below_a_boundary_is_told_from_the_lines_below_it() -> None:
    edited = _edited(MODULE, "x = 2\n", "x = (2\n")
    assert _module().surely_fails(edited)
    assert compiled_tree("".join(edited).encode()) is None


def test_an_edit_that_still_parses_is_left_to_the_whole_compile() -> None:
    assert not _module().surely_fails(_edited(MODULE, "x = 2\n", "x = 3\n"))


def test_an_indented_first_line_may_join_the_body_above_so_nothing_is_concluded() -> None:
    edited = _edited(MODULE, "x = 2\n", "    y = 3\n")  # the `if` above takes it into its body
    assert not _module().surely_fails(edited)
    assert compiled_tree("".join(edited).encode()) is not None


def test_a_continuation_of_the_statement_above_is_not_judged_alone() -> None:
    edited = _edited(MODULE, "\nx = 2\n", "else:\n    FLAG = 2\n")  # `else` of the `if` above
    assert not _module().surely_fails(edited)
    assert compiled_tree("".join(edited).encode()) is not None


def test_a_file_in_another_encoding_or_split_where_python_does_not_is_never_judged_by_parts() -> None:
    latin = "# -*- coding: latin-1 -*-\n" + MODULE
    assert not _module(latin).surely_fails(_edited(latin, "x = 2\n", "x = (2\n"))
    feed = MODULE.replace("import os\n", "import os\f\n")  # str.splitlines breaks at the form feed
    assert not _module(feed).surely_fails(_edited(feed, "x = 2\n", "x = (2\n"))


def test_random_damage_never_reads_as_failing_when_the_module_compiles() -> None:
    """Lines dropped, doubled, re-indented, or cut, at random: whenever the part from the boundary
    says the edit fails, compiling the whole edited module fails too."""
    rng = random.Random(7)
    lines = MODULE.splitlines(keepends=True)
    module, judged = _module(), 0
    for _ in range(600):
        edited = list(lines)
        at = rng.randrange(len(edited))
        kind = rng.randrange(4)
        if kind == 0:
            del edited[at]
        elif kind == 1:
            edited.insert(at, edited[at])
        elif kind == 2:
            edited[at] = "    " + edited[at] if rng.random() < 0.5 else edited[at].lstrip()
        else:
            edited[at] = edited[at][: rng.randrange(len(edited[at]) + 1)] + "\n"
        if module.surely_fails(edited):
            judged += 1
            assert compiled_tree("".join(edited).encode()) is None, "".join(edited)
    assert judged > 50  # the shortcut is taken, not only declined


PUT_IN = ["(", "[", "{", ")", "]", "}", '"', "'", '"""', ":", ","]


def test_random_damage_of_a_long_module_is_judged_within_a_window_never_wrongly(monkeypatch) -> None:
    """A module of many statements: brackets, quotes and colons put in or taken out at random.
    Whenever the window below the edit says it fails, the whole edited module fails too; and
    the window decides most of those without reading the module to its end."""
    import testcanon.syntax.edits as edits

    text = "".join(MODULE.replace("test_a", f"test_a{n}").replace("TestB", f"TestB{n}") for n in range(12))
    lines = text.splitlines(keepends=True)
    module = _module(text)
    rng = random.Random(11)
    read: list[int] = []
    real_parse_error = edits._parse_error
    monkeypatch.setattr(edits, "_parse_error",
                        lambda header, part: read.append(len(part)) or real_parse_error(header, part))
    judged = windowed = 0
    for _ in range(1500):
        edited = list(lines)
        at = rng.randrange(len(edited))
        line = edited[at]
        cut = rng.randrange(len(line))
        kind = rng.randrange(6)
        if kind == 0:
            edited[at] = line[:cut] + rng.choice(PUT_IN) + line[cut:]
        elif kind == 1:
            edited[at] = line[:cut] + line[cut + 1:] if line[cut:cut + 1] != "\n" else line
        elif kind == 2:
            del edited[at]
        elif kind == 3:
            edited.insert(at, line)
        elif kind == 4:
            edited[at] = "    " + line if rng.random() < 0.5 else line.lstrip() or "\n"
        else:
            edited[at:at] = ['x = """\n'] if rng.random() < 0.5 else ["def f(\n"]
        read.clear()
        if module.surely_fails(edited):
            judged += 1
            windowed += len(read) == 1 and read[0] < len(lines) // 2
            assert compiled_tree("".join(edited).encode()) is None, "".join(edited)
    assert judged > 300
    assert windowed > judged // 3  # unclosed brackets and strings are found at the end: not windowed


def test_a_break_inside_a_method_is_read_from_the_method_under_a_header(monkeypatch) -> None:
    """In a module that is one big class, the boundary above a broken method is the method's own
    line: what is parsed is `class _:` and the method, not the class from its top."""
    import testcanon.syntax.edits as edits

    methods = "".join(f"    def test_{n}(self):\n        assert {n}\n\n" for n in range(40))
    text = f"import os\n\n\nclass TestBig:\n{methods}"
    parsed: list[str] = []
    real_parse_error = edits._parse_error

    def recorded(header: str, part: list[str]) -> SyntaxError | None:
        parsed.append(header + "".join(part))
        return real_parse_error(header, part)

    monkeypatch.setattr(edits, "_parse_error", recorded)
    edited = _edited(text, "        assert 20\n", "        assert (20\n")
    assert _module(text).surely_fails(edited)
    assert compiled_tree("".join(edited).encode()) is None
    assert parsed[0].startswith("class _:\n    def test_20(self):\n        assert (20\n")
    assert len(parsed[0].splitlines()) < 10  # a window, not the class to its end
