"""Python 3.12 f-strings rewritten for an older interpreter: same value, compiles here."""

from __future__ import annotations

import sys

import pytest

from testcanon.repair.local import repair_local
from testcanon.repair.pep701 import rewrite_fstrings

NAMES = {"d": {"k": "K", "it's": 1}, "w": 5, "xs": ["1", "2"], "c": 3, "n": {"a": "A"}, "x": 1}

# (3.12 source, the value it evaluates to)
CASES = [
    ('f"{d["k"]}"', "K"),  # same-kind quotes: swapping the inner ones is enough
    ('f"{d["k"]!r:>{w}} and {"\\n".join(xs)} {c=}"', "  'K' and 1\n2 c=3"),  # backslash, spec, `=`
    ("f'{f'{n['a']}'}'", "A"),  # an f-string nested in one with the same quotes
    ('"pre " f"{d["it\'s"]}" " post"', "pre 1 post"),  # in a concatenation, other quote impossible
    ('f"{c:{w}d}|{{literal}}|{"\\t".join(xs)}"', "    3|{literal}|1\t2"),  # nested spec, escaped braces
    ('rf"{d["k"]}\\d"', "K\\d"),  # a raw f-string keeps its prefix
]


@pytest.mark.parametrize(("source", "value"), CASES)
def test_a_pep_701_fstring_becomes_code_this_interpreter_runs_with_the_same_value(source: str,
                                                                                  value: str) -> None:
    rewritten = rewrite_fstrings(f"result = {source}\n")
    assert rewritten is not None and rewritten[1] >= 1
    namespace = dict(NAMES)
    exec(compile(rewritten[0], "<rewritten>", "exec"), namespace)
    assert namespace["result"] == value
    if sys.version_info >= (3, 12):  # the original itself, where it runs
        assert eval(source, dict(NAMES)) == value


def test_fstrings_this_interpreter_accepts_are_left_alone() -> None:
    source = 'a = f"{x}"\nb = f"""total: {\n    x + 1\n}"""\nc = "plain"\n'
    assert rewrite_fstrings(source) == (source, 0)
    assert rewrite_fstrings("def broken(:\n") is None  # not Python 3.12 either


def test_a_damaged_file_with_a_3_12_definition_is_version_specific_until_asked() -> None:
    broken = ('def test_a():\n    assert compute(1 == 2 ))\n\n'
              'def test_b():\n    d = {"k": "v"}\n    assert f"{"\\n".join(d)}" == "k"\n')
    refused = repair_local(broken.encode(), donors=["def test_a():\n    assert compute(1) == 2\n"])
    assert refused.fixed is None and refused.version_specific and "test_b" in refused.reason
    fixed = repair_local(broken.encode(), rewrite_version_specific=True,
                         donors=["def test_a():\n    assert compute(1) == 2\n"])
    assert fixed.fixed is not None
    assert b'assert "{}".format("\\n".join(d)) == "k"' in fixed.fixed


def test_a_concatenation_over_several_lines_keeps_its_line_breaks() -> None:
    source = 'result = str(\n    f"items: "\n    f"{"\\n".join(xs)}"\n)\n'
    rewritten, count = rewrite_fstrings(source) or ("", 0)
    assert count == 1 and rewritten.count("\n") == source.count("\n")
    namespace = dict(NAMES)
    exec(compile(rewritten, "<rewritten>", "exec"), namespace)
    assert namespace["result"] == "items: 1\n2"
