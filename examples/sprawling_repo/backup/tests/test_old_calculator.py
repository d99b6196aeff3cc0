from chatapp.tools import calculate


def test_old():
    assert calculate("1+1") == 2
