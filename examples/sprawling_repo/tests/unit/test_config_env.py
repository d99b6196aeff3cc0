import os

from chatapp.config import load_settings


def test_defaults_without_environment(monkeypatch):
    monkeypatch.delenv("CHATAPP_TOKEN_TTL", raising=False)
    assert load_settings().token_ttl_seconds == 3600


def test_ttl_from_environment(monkeypatch):
    monkeypatch.setenv("CHATAPP_TOKEN_TTL", "60")
    assert load_settings().token_ttl_seconds == 60


def test_secret_from_environment():
    os.environ["CHATAPP_SECRET_KEY"] = "from-env"
    try:
        assert load_settings().secret_key == "from-env"
    finally:
        del os.environ["CHATAPP_SECRET_KEY"]
