import os

from chatapp.config import load_settings


def test_environment_is_reported():
    assert load_settings().environment == os.getenv("CHATAPP_ENV", "development")


if __name__ == "__main__":
    import pytest

    raise SystemExit(pytest.main(["-x", __file__]))
