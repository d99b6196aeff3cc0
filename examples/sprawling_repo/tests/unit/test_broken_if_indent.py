from chatapp.tools import calculate


def test_addition():
    result = calculate("1 + 1")
    if result != 2:
    raise AssertionError(f"expected 2, got {result}")


def test_subtraction():
    assert calculate("5 - 3") == 2
