"""Signed session tokens: `user_id.expiry.signature` with an HMAC-SHA256 signature."""

from __future__ import annotations

import hashlib
import hmac
import time


class InvalidToken(Exception):
    pass


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def create_token(user_id: str, secret: str, ttl_seconds: int = 3600, now: float | None = None) -> str:
    if not user_id or "." in user_id:
        raise ValueError("user_id must be non-empty and contain no dots")
    expiry = int((now if now is not None else time.time()) + ttl_seconds)
    payload = f"{user_id}.{expiry}"
    return f"{payload}.{_sign(secret, payload)}"


def verify_token(token: str, secret: str, now: float | None = None) -> str:
    try:
        user_id, expiry, signature = token.split(".")
    except ValueError:
        raise InvalidToken("malformed token") from None
    if not hmac.compare_digest(signature, _sign(secret, f"{user_id}.{expiry}")):
        raise InvalidToken("bad signature")
    if int(expiry) < (now if now is not None else time.time()):
        raise InvalidToken("expired")
    return user_id
