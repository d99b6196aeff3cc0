from unittest.mock import MagicMock

from chatapp.config import load_settings


def test_environment_selects_settings(monkeypatch):
    monkeypatch.setenv("CHATAPP_ENV", "staging")
    assert load_settings().environment == "staging"


def test_settings_consumer_gets_values():
    consumer = MagicMock()
    consumer(load_settings().max_tool_calls)
    consumer.assert_called_once()
