import os

from ..helpers.network import free_port
from chatapp.auth import create_token, verify_token


def test_token_with_configured_secret():
    secret = os.environ.get("CHATAPP_SECRET_KEY", "integration-secret")
    token = create_token("carol", secret)
    assert verify_token(token, secret) == "carol"


def test_free_port_is_usable():
    assert 1024 < free_port() < 65536
