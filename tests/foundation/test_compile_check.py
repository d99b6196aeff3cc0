"""Each kind of file that does not compile is recognised and located exactly."""

from __future__ import annotations

import ast

import pytest

from testcanon.syntax import check_source, compiled_tree


@pytest.mark.parametrize(
    ("source", "kind", "line"),
    [
        (b"def f(:\n    pass\n", "syntax-error", 1),
        (b"if x:\nfoo()\n", "indentation-error", 2),
        (b"def f():\n    return 1\n        return 2\n", "indentation-error", 3),
        (b"if x:\n\tif y:\n        pass\n", "tab-error", 3),
        (b"x = 'unterminated\n", "syntax-error", 1),
        (b"d = {'a': 1 ))\n", "syntax-error", 1),
        (b"def f():\n    '''doc\n", "syntax-error", 2),
    ],
)
def test_syntax_error_kinds_and_lines(source: bytes, kind: str, line: int) -> None:
    problem = check_source(source, "t.py")
    assert problem is not None
    assert (problem.kind, problem.line) == (kind, line)


def test_valid_source_has_no_problem() -> None:
    assert check_source(b"import os\n\ndef test_x():\n    assert os.sep\n") is None


@pytest.mark.parametrize(
    "source",
    [
        b"import os\n\ndef test_x():\n    assert os.sep\n",  # compiles
        b"def f(:\n    pass\n",  # the parser refuses it
        b"return 1\n",  # the parser accepts it, the compiler does not
        b"def f():\n    nonlocal x\n",  # the symbol table refuses it
        b"x = 1\0\n",  # a NUL byte
        b"# -*- coding: latin-1 -*-\nname = '\xe9'\n",  # declared encoding
        b"x = '\xff'\n",  # not UTF-8, no declaration
    ],
)
def test_compiled_tree_agrees_with_check_source(source: bytes) -> None:
    tree = compiled_tree(source)
    assert (tree is not None) == (check_source(source) is None)
    if tree is not None:
        assert ast.dump(tree) == ast.dump(ast.parse(source))


def test_frame_points_at_the_error() -> None:
    problem = check_source(b"a = 1\nb = (2,\nc = 3 )\n")
    assert problem is not None
    assert "2 | b = (2," in problem.frame
    assert problem.frame.splitlines()[-1].strip().endswith("^")


def test_invalid_utf8_without_declaration_is_an_encoding_error() -> None:
    problem = check_source(b"x = 1\ns = '\xe9t\xe9'\n")
    assert problem is not None
    assert problem.kind == "encoding-error"
    assert problem.line == 2
    assert "no encoding declared" in problem.message


def test_declared_latin1_compiles() -> None:
    assert check_source(b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n") is None


def test_utf8_bom_compiles() -> None:
    assert check_source(b"\xef\xbb\xbfx = 1\n") is None


def test_unknown_declared_encoding_is_an_encoding_error() -> None:
    problem = check_source(b"# coding: klingon\nx = 1\n")
    assert problem is not None and problem.kind == "encoding-error"
    assert "klingon" in problem.message


def test_a_stray_nul_byte_is_null_bytes_with_its_position() -> None:
    problem = check_source(b"x = 1\ny = 2\0\n")
    assert problem is not None
    assert (problem.kind, problem.line, problem.column) == ("null-bytes", 2, 6)


def test_binary_content_is_binary() -> None:
    problem = check_source(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0" * 64)
    assert problem is not None and problem.kind == "binary"


def test_pep701_fstring_is_rejected_by_this_interpreter_if_older_than_312() -> None:
    import sys

    problem = check_source(b'x = f"{"nested"}"\n')
    if sys.version_info >= (3, 12):
        assert problem is None
    else:
        assert problem is not None and problem.kind == "syntax-error"
