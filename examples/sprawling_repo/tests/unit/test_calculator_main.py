import pytest

from chatapp.tools import calculate


def test_nested_parentheses():
    assert calculate("((1 + 2) * (3 + 4))") == 21


def test_power_of_negative():
    assert calculate("(-2) ** 3") == -8


if __name__ == "__main__":
    pytest.main([__file__, "-v"])
