"""Application settings, read from the environment (application code may do that)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    secret_key: str
    token_ttl_seconds: int
    max_tool_calls: int
    environment: str


def load_settings() -> Settings:
    return Settings(
        secret_key=os.environ.get("CHATAPP_SECRET_KEY", "dev-secret"),
        token_ttl_seconds=int(os.environ.get("CHATAPP_TOKEN_TTL", "3600")),
        max_tool_calls=int(os.environ.get("CHATAPP_MAX_TOOL_CALLS", "4")),
        environment=os.environ.get("CHATAPP_ENV", "development"),
    )
