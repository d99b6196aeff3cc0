"""CANON301 on every syntactic form of environment access: each one either gets an exact
equivalent (proven by running the original and the rewrite and comparing what they did to
the environment and what they returned) or is left whole and reported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from testcanon.migrate.environment import migrate_environment


@pytest.fixture(autouse=True)
def _clean_environ() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _migrate(body: str) -> tuple[str, list[str]]:
    source = "import os\n\ndef helper():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    result = migrate_environment(cst.parse_module(source))
    return result.module.code, result.skipped


def _run(code: str, start: dict[str, str]) -> tuple[object, dict[str, str | None]]:
    """What `helper()` returns (or raises) and the variables it leaves, from `start`."""
    names = set(start) | {"A", "B", "C", "X", "K"}
    for name in names:
        os.environ.pop(name, None)
    os.environ.update(start)
    namespace: dict[str, object] = {}
    exec(compile(code, "<migrated>", "exec"), namespace)  # noqa: S102 - the code under test
    try:
        outcome: object = namespace["helper"]()
    except Exception as error:  # noqa: BLE001 - an exception is an outcome to compare
        outcome = type(error).__name__
    return outcome, {name: os.environ.get(name) for name in sorted(names)}


def _assert_exact(body: str, *,
                  starts: tuple[dict[str, str], ...] = ({}, {"A": "a", "B": "b", "C": "c"})) -> str:
    original = "import os\n\ndef helper():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    code, skipped = _migrate(body)
    assert skipped == []
    assert "os.environ" not in code.split("def helper", 1)[1]
    for start in starts:
        assert _run(code, start) == _run(original, start), code
    return code


def test_chained_assignment_stores_in_pythons_order() -> None:
    code = _assert_exact('os.environ["A"] = v = "1"\nreturn v\n')
    assert 'canon_env.set("A", "1")\n    v = "1"\n' in code
    code = _assert_exact('v = os.environ["A"] = os.environ.get("B", "x") + "!"\nreturn v\n')
    assert 'v = canon_env.get("B", "x") + "!"\n    canon_env.set("A", v)\n' in code


def test_membership_asserts_ask_the_canonical_object() -> None:
    """`assertIn(k, os.environ)` only asks `k in os.environ` (the seed's launcher tests)."""
    code = _assert_exact('import unittest\ncase = unittest.TestCase()\ncase.assertIn("A", os.environ)\n'
                         'case.assertNotIn("X", os.environ, "X leaked")\nreturn True\n')
    assert 'case.assertIn("A", canon_env)' in code and 'case.assertNotIn("X", canon_env, "X leaked")' in code


def test_chained_assignment_that_cannot_store_once_is_left_and_reported() -> None:
    code, skipped = _migrate('os.environ["A"] = v = str(len("ab"))\n')
    assert 'os.environ["A"] = v = str(len("ab"))' in code
    assert len(skipped) == 1 and "chained assignment" in skipped[0] and "left as is" in skipped[0]


def test_tuple_assignment_into_environ_is_left_whole_and_reported() -> None:
    code, skipped = _migrate('prev, os.environ["X"] = os.environ.get("X"), "1"\n')
    assert 'prev, os.environ["X"] = os.environ.get("X"), "1"' in code  # also its read: no mixing
    assert "unpacks into os.environ items" in skipped[0]


def test_augmented_assignment_is_a_read_and_a_set() -> None:
    code = _assert_exact('os.environ["A"] += "-x" if True else ""\nreturn os.environ["A"]\n',
                         starts=({"A": "a"}, {}))  # unset: KeyError either way
    assert 'canon_env.set("A", canon_env["A"] + ("-x" if True else ""))' in code
    code, skipped = _migrate('os.environ[key()] += "y"\n')
    assert 'os.environ[key()] += "y"' in code and "evaluated twice" in skipped[0]


def test_walrus_reads_convert() -> None:
    _assert_exact('if (v := os.environ.get("A")) is not None:\n    os.environ["B"] = v\nreturn v\n')


def test_del_of_several_targets_deletes_in_order_and_raises_like_del() -> None:
    code = _assert_exact('x = 1\ndel os.environ["A"], x, os.environ["B"]  # both\nreturn "done"\n',
                         starts=({"A": "a", "B": "b"}, {"B": "b"}, {"A": "a"}))
    assert 'canon_env.pop("A")\n    del x\n    canon_env.pop("B")  # both\n' in code
    _assert_exact('del os.environ["A"]\n', starts=({}, {"A": "a"}))  # KeyError when unset, as before


def test_environ_passed_on_as_a_value_is_left_and_reported() -> None:
    code, skipped = _migrate('run(env=os.environ)\nmapping = os.environ\nreturn os.environ.get("A")\n')
    assert "run(env=os.environ)" in code and "mapping = os.environ" in code
    assert [s.split("`")[1] for s in skipped] == ["run(env=os.environ)", "mapping = os.environ"]
    assert all("passed on as a value" in s for s in skipped)


def test_loop_and_with_targets_are_left_and_reported() -> None:
    code, skipped = _migrate('for os.environ["A"] in ["1"]:\n    print(os.environ["A"])\n'
                             'with open("f") as os.environ["B"]:\n    pass\n')
    assert 'for os.environ["A"] in ["1"]' in code and 'as os.environ["B"]' in code
    assert "print(canon_env[\"A\"])" in code  # the body converts: canon_env mirrors to os.environ
    assert ["loop" in skipped[0], "`as`" in skipped[1]] == [True, True]


def test_annotated_assignment_is_left_and_reported() -> None:
    code, skipped = _migrate('os.environ["A"]: str = "1"\n')
    assert 'os.environ["A"]: str = "1"' in code and "annotated" in skipped[0]


def test_no_form_ever_becomes_item_assignment_or_deletion_on_the_canonical_object() -> None:
    forms = ['os.environ["A"] = v = "1"', 'prev, os.environ["X"] = 1, "2"', 'os.environ["A"] += "x"',
             'del os.environ["A"], os.environ["B"]', '[os.environ["A"], b] = "1", 2',
             '(os.environ["A"], *rest) = ["1"]', 'os.environ["A"] = os.environ["B"] = f()',
             '[x for os.environ["A"] in "ab"]']
    for form in forms:
        code, _ = _migrate(form + "\n")
        body = code.split("def helper", 1)[1]
        for bad in ('canon_env["A"] =', 'canon_env["X"] =', "del canon_env", 'canon_env["A"] +=',
                    'canon_env["A"]: ', 'canon_env["A"] in'):
            assert bad not in body, (form, code)
        compile(code, "<migrated>", "exec")


@pytest.mark.parametrize("base", ["SSotTestBase", "SSotBaseTestCase"])
def test_a_method_of_a_class_on_either_canonical_family_writes_through_self_env(
        base: str, tmp_path: Path) -> None:
    """celery's `os.environ[key] = ...` in a class re-based onto SSotTestBase became a module-level
    `canon_env.set`, which the base's os.environ check reports: the test passed, then errored."""
    source = textwrap.dedent(f"""\
        import os
        from testcanon import {base}


        class TestConfig({base}):
            def test_reads_what_it_wrote(self):
                os.environ["CANON_FORM_KEY"] = "from-the-test"
                assert os.getenv("CANON_FORM_KEY") == "from-the-test"
                assert read_from_code_under_test() == "from-the-test"


        def read_from_code_under_test():
            return os.environ["CANON_FORM_KEY"]
        """)
    migrated = migrate_environment(cst.parse_module(source)).module.code
    assert 'self.env.set("CANON_FORM_KEY", "from-the-test")' in migrated
    in_class = migrated.split("class TestConfig")[1].split("def read_from_code_under_test")[0]
    assert "canon_env" not in in_class
    (tmp_path / "test_migrated.py").write_text(migrated)
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p",
                          "no:cacheprovider", str(tmp_path / "test_migrated.py")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout[-2000:]
    assert "1 passed" in ran.stdout
