"""A real chat session: log in over HTTP, connect a WebSocket, send, collect a run's events."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from testcanon.events.profiles import Profile, agent_events


class SessionError(Exception):
    """Login, connection or protocol failure (not a validation failure)."""


class AgentSession:
    """`async with AgentSession(url, "alice") as s: await s.send("hi"); events = await s.collect_run()`."""

    def __init__(self, base_url: str, username: str, *, password: str = "secret",
                 profile: Profile | None = None, fault: str | None = None, timeout: float = 10.0,
                 http: Any = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.profile = profile or agent_events()
        self.fault = fault
        self.timeout = timeout
        self.user_id: str | None = None
        self.connected_at: float | None = None
        self.sent_at: float | None = None
        self._ws: Any = None
        self.http = http  # a shared httpx.AsyncClient: creating one per login costs ~20 ms of CPU

    async def __aenter__(self) -> AgentSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def login(self) -> str:
        import httpx

        body = {"username": self.username, "password": self.password}
        try:
            if self.http is not None:
                response = await self.http.post(f"{self.base_url}/auth/login", json=body)
            else:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.post(f"{self.base_url}/auth/login", json=body)
        except httpx.HTTPError as exc:
            raise SessionError(f"login failed: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise SessionError(f"login failed: HTTP {response.status_code} {response.text[:200]}")
        body = response.json()
        self.user_id = body.get("user_id", self.username)
        return body["token"]

    def ws_url(self, token: str) -> str:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        query = {"token": token, **({"fault": self.fault} if self.fault else {})}
        return urlunsplit((scheme, parts.netloc, parts.path + "/ws", urlencode(query), ""))

    async def connect(self) -> None:
        import websockets

        token = await self.login()
        try:
            self._ws = await websockets.connect(self.ws_url(token), open_timeout=self.timeout,
                                                max_queue=None, ping_interval=None)
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
            raise SessionError(f"cannot connect: {type(exc).__name__}: {exc}") from None
        self.connected_at = time.perf_counter()

    async def send(self, text: str, **extra: Any) -> None:
        self.sent_at = time.perf_counter()
        await self._ws.send(json.dumps({"text": text, **extra}))

    async def collect_run(self, timeout: float | None = None) -> list[dict[str, Any]]:
        """Frames until the profile's terminal event (or the timeout), each stamped on arrival."""
        import asyncio

        events: list[dict[str, Any]] = []
        deadline = time.perf_counter() + (timeout or self.timeout)
        terminal = set(self.profile.terminal)
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return events
            try:
                frame = await asyncio.wait_for(self._ws.recv(), remaining)
            except TimeoutError:
                return events
            event = json.loads(frame)
            event.setdefault("_received", time.perf_counter())
            events.append(event)
            if event.get(self.profile.type_field) in terminal:
                return events

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
