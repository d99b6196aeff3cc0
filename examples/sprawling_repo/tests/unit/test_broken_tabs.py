from chatapp.tools import calculate


def test_power():
    value = calculate("2 ** 3")
    if value:
	assert value == 8
        assert value > 0


def test_negative():
    assert calculate("-1") == -1
