from chatapp import tools


def test_registry_exports():
    assert set(tools.__all__) == {"DocumentIndex", "calculate"}


def test_calculate_is_callable():
    assert callable(tools.calculate)
