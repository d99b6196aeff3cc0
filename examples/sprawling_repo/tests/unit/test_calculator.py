import pytest

from chatapp.tools.calculator import calculate


@pytest.mark.unit
@pytest.mark.parametrize(("expression", "expected"), [("1 + 2", 3), ("2 * (3 + 4)", 14), ("2 ** 10", 1024), ("-3 + 1", -2)])
def test_calculate(expression, expected):
    assert calculate(expression) == expected


def test_division_gives_float():
    assert calculate("7 / 2") == 3.5
