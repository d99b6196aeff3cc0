"""Splitting a (possibly broken) file at its definitions."""

from __future__ import annotations

import ast

from testcanon.repair.local import repair_local
from testcanon.repair.units import split_units, unit_lines


def test_units_are_named_by_their_enclosing_definitions_and_keep_their_decorators() -> None:
    lines = ('"""Doc."""\nimport pytest\n\n\nclass TestA:\n    @pytest.mark.slow\n    def test_x(self):\n'
             '        def helper():\n            pass\n\n    async def test_y(self):\n        pass\n\n\n'
             'def test_z():\n    pass\n').splitlines()
    units = split_units(lines)
    assert [(u.name, u.start) for u in units] == [
        ("", 0), ("TestA", 4), ("TestA.test_x", 5), ("TestA.test_x.helper", 7), ("TestA.test_y", 10),
        ("test_z", 14)]
    assert unit_lines(lines, units[2])[:2] == ["@pytest.mark.slow", "def test_x(self):"]


def test_a_decorator_flattened_below_its_definition_is_aligned_with_it() -> None:
    lines = ["class TestA:", "        @pytest.mark.e2e", "    def test_x(self):", "        pass"]
    unit = split_units(lines)[2]
    assert unit_lines(lines, unit) == ["@pytest.mark.e2e", "def test_x(self):", "    pass"]


def test_a_method_flattened_to_column_0_goes_back_into_its_class() -> None:
    broken = ("class TestA:\n    def test_x(self):\n        assert True\n\n"
              "def test_y(self, value):\n    assert value == 1)\n\n"
              "    def test_z(self):\n        pass\n\n"
              "def helper(value):\n    return value\n")
    donor = ("class TestA:\n    def test_x(self):\n        assert True\n\n"
             "    def test_y(self, value):\n        assert value == 1\n")
    result = repair_local(broken.encode(), donors=[donor])  # history mode: a donor per definition
    assert result.fixed is not None
    tree = ast.parse(result.fixed)
    test_a, helper = tree.body
    assert isinstance(test_a, ast.ClassDef) and \
        [f.name for f in test_a.body] == ["test_x", "test_y", "test_z"]
    assert isinstance(helper, ast.FunctionDef) and helper.name == "helper"  # no `self`: not a method


def test_what_a_moved_method_nests_moves_with_it() -> None:
    broken = ("class TestA:\n    def test_x(self):\n        assert True\n\n"
              "def test_y(self, value):\n    def helper(v):\n        return v == 1)\n"
              "    assert helper(value)\n")
    donor = ("class TestA:\n    def test_x(self):\n        assert True\n\n    def test_y(self, value):\n"
             "        def helper(v):\n            return v == 1\n        assert helper(value)\n")
    result = repair_local(broken.encode(), donors=[donor])
    assert result.fixed is not None
    (test_a,) = ast.parse(result.fixed).body
    assert isinstance(test_a, ast.ClassDef) and [f.name for f in test_a.body] == ["test_x", "test_y"]
    test_y = test_a.body[1]
    # helper still inside
    assert isinstance(test_y, ast.FunctionDef) and isinstance(test_y.body[0], ast.FunctionDef)
