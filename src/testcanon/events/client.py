"""A real chat session: log in over HTTP, connect, send, collect a run's events.

What differs between platforms is configuration (`SessionConfig`, from `[tool.testcanon.events.session]`):
the login request and where its answer holds the token, how the token travels (query, header,
subprotocol, cookie), the stream path and the message shape. Where configuration is not enough, a
session class with the same methods (`connect`, `send`, `collect_run`, `close`) is named by
`session_class = "module:Class"`; journey, load, the pytest fixtures and the Locust user all build
sessions through `make_session`.

Every failure of one session (refused login, dropped connection, a frame that is not JSON) is a
`SessionError`: that user's failure, never the caller's traceback.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from testcanon.events.profiles import Profile, agent_events

CANARY = re.compile(r"tc-[0-9a-f]{16}")


def new_canary() -> str:
    """A token unique to one journey, carried in its message: whoever receives it back owns the run."""
    return f"tc-{secrets.token_hex(8)}"


class SessionError(Exception):
    """Login, connection or protocol failure (not a validation failure)."""


TOKEN_TRANSPORTS = ("query", "header", "subprotocol", "cookie")
STREAMS = ("websocket", "sse")


@dataclass(frozen=True)
class SessionConfig:
    """How to log in and talk to a chat server. The defaults fit examples/agent_chat/server.py."""

    login_path: str = "/auth/login"
    login_method: str = "POST"
    login_body: dict[str, Any] = field(default_factory=lambda: {"username": "{username}",
                                                                "password": "{password}"})
    password: str = "secret"
    token_path: str = "token"  # dotted path into the login response's JSON
    user_id_path: str = "user_id"  # absent: the username
    token_in: str = "query"  # query | header | subprotocol | cookie
    token_name: str = "token"  # the query parameter, header or cookie name
    token_prefix: str = ""  # e.g. "Bearer " for an Authorization header
    stream: str = "websocket"  # websocket | sse
    stream_path: str = "/ws"
    message: dict[str, Any] = field(default_factory=lambda: {"text": "{text}"})
    session_class: str = ""  # "module:Class": a session of your own where configuration is not enough
    # the same for Locust (gevent needs a blocking one: a SyncSession subclass)
    locust_session_class: str = ""

    def __post_init__(self) -> None:
        from testcanon.errors import ConfigError

        if self.token_in not in TOKEN_TRANSPORTS:
            raise ConfigError("events.session.token_in must be one of "
                              f"{', '.join(TOKEN_TRANSPORTS)}, not {self.token_in!r}")
        if self.stream not in STREAMS:
            raise ConfigError("events.session.stream must be one of "
                              f"{', '.join(STREAMS)}, not {self.stream!r}")

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> SessionConfig:
        from testcanon.errors import ConfigError

        known = set(cls.__dataclass_fields__)
        unknown = set(table) - known
        if unknown:
            import difflib

            key = sorted(unknown)[0]
            hint = difflib.get_close_matches(key, sorted(known), n=1)
            raise ConfigError(f"[tool.testcanon] 'events.session.{key}' unknown key"
                              + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        return cls(**table)


def fill(template: Any, values: dict[str, str]) -> Any:
    """A JSON template with `{name}` placeholders in its strings filled in."""
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


def dig(document: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict):
            return None
        document = document.get(part)
    return document


def parse_frame(raw: str | bytes) -> dict[str, Any]:
    try:
        event = json.loads(raw)
    except ValueError:
        raise SessionError(f"non-JSON frame: {str(raw)[:60]!r}") from None
    if not isinstance(event, dict):
        raise SessionError(f"frame is not a JSON object: {str(raw)[:60]!r}")
    return event


class AgentSession:
    """`async with AgentSession(url, "alice") as s: await s.send("hi"); events = await s.collect_run()`."""

    def __init__(self, base_url: str, username: str, *, password: str | None = None,
                 profile: Profile | None = None, fault: str | None = None, timeout: float = 10.0,
                 http: Any = None, config: SessionConfig | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.config = config or SessionConfig()
        self.password = self.config.password if password is None else password
        self.profile = profile or agent_events()
        self.fault = fault
        self.timeout = timeout
        self.user_id: str | None = None
        self.token: str | None = None
        self.connected_at: float | None = None
        self.sent_at: float | None = None
        self._ws: Any = None
        self._pending: list[dict[str, Any]] = []
        self._sse: Any = None
        self.http = http  # a shared httpx.AsyncClient: creating one per login costs ~20 ms of CPU

    async def __aenter__(self) -> AgentSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _url(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}{path}"

    async def login(self) -> str:
        import httpx

        config = self.config
        body = fill(config.login_body, {"username": self.username, "password": self.password})
        try:
            if self.http is not None:
                response = await self.http.request(config.login_method, self._url(config.login_path),
                                                   json=body)
            else:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.request(config.login_method, self._url(config.login_path),
                                                    json=body)
        except httpx.HTTPError as exc:
            raise SessionError(f"login failed: {type(exc).__name__}: {exc}") from None
        self.token, self.user_id = login_answer(response.status_code, response.text, config, self.username)
        return self.token

    def ws_url(self, token: str) -> str:
        parts = urlsplit(self._url(self.config.stream_path))
        scheme = "wss" if parts.scheme in ("https", "wss") else "ws"
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        if self.config.token_in == "query":
            query[self.config.token_name] = token
        if self.fault:
            query["fault"] = self.fault
        return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), ""))

    def _auth(self, token: str) -> tuple[dict[str, str], list[str] | None]:
        config = self.config
        value = config.token_prefix + token
        if config.token_in == "header":
            return {config.token_name: value}, None
        if config.token_in == "cookie":
            return {"Cookie": f"{config.token_name}={value}"}, None
        if config.token_in == "subprotocol":
            return {}, [value]
        return {}, None

    async def connect(self) -> None:
        token = await self.login()
        if self.config.stream == "sse":
            self.connected_at = time.perf_counter()
            return
        import websockets

        headers, subprotocols = self._auth(token)
        try:
            self._ws = await websockets.connect(self.ws_url(token), open_timeout=self.timeout, max_queue=None,
                                                ping_interval=None, additional_headers=headers or None,
                                                subprotocols=subprotocols)  # type: ignore[arg-type]
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
            raise SessionError(f"cannot connect: {type(exc).__name__}: {exc}") from None
        self.connected_at = time.perf_counter()

    async def send(self, text: str, **extra: Any) -> None:
        self.sent_at = time.perf_counter()
        payload = {**fill(self.config.message, {"text": text, "username": self.username}), **extra}
        if self.config.stream == "sse":
            await self._open_sse(payload)
            return
        import websockets

        if self._ws is None:
            raise SessionError("not connected")
        try:
            await self._ws.send(json.dumps(payload))
        except websockets.exceptions.WebSocketException as exc:
            raise SessionError(f"connection lost: {type(exc).__name__}") from None

    async def _open_sse(self, payload: dict[str, Any]) -> None:
        """SSE/HTTP streaming: each message is a POST whose response streams the run as `data:` lines."""
        import httpx

        from testcanon.events.sse import SSEStream

        headers, _ = self._auth(self.token or "")
        query = {self.config.token_name: self.token or ""} if self.config.token_in == "query" else {}
        if self.fault:
            query["fault"] = self.fault
        url = self._url(self.config.stream_path)
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        await self._close_sse()
        self._sse = SSEStream(self.http, url, payload, headers, self.timeout)
        try:
            await self._sse.open()
        except httpx.HTTPError as exc:
            raise SessionError(f"cannot stream: {type(exc).__name__}: {exc}") from None

    async def _next_frame(self, remaining: float) -> str | bytes | None:
        import asyncio

        import websockets

        if self.config.stream == "sse":
            if self._sse is None:
                raise SessionError("nothing sent")
            return await self._sse.next(remaining)
        if self._ws is None:
            raise SessionError("not connected")
        try:
            return await asyncio.wait_for(self._ws.recv(), remaining)
        except websockets.exceptions.ConnectionClosed as exc:
            raise SessionError("connection closed by the server "
                               f"(code {exc.rcvd.code if exc.rcvd else 'none'})") from None
        except websockets.exceptions.WebSocketException as exc:
            raise SessionError(f"connection lost: {type(exc).__name__}") from None
        except OSError as exc:
            raise SessionError(f"connection lost: {type(exc).__name__}") from None

    async def collect_run(self, timeout: float | None = None) -> list[dict[str, Any]]:
        """Events until the profile's terminal or error event (or the timeout), each stamped on arrival.

        Frames go through the profile's wire format (control frames dropped, aliases mapped, batches
        unpacked). A journey's canaries found in a frame are kept in the event as `_canaries`.
        """
        events: list[dict[str, Any]] = []
        deadline = time.perf_counter() + (self.timeout if timeout is None else timeout)
        profile = self.profile
        ends = set(profile.terminal) | set(profile.errors)
        protocol = profile.protocol
        while True:
            if self._pending:
                event = self._pending.pop(0)
            else:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return events
                try:
                    raw = await self._next_frame(remaining)
                except TimeoutError:
                    return events
                if raw is None:  # the stream ended
                    return events
                received = time.perf_counter()
                frame = parse_frame(raw)
                canaries = CANARY.findall(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))
                unpacked = list(protocol.frames(frame)) if protocol is not None else [frame]
                for item in unpacked:
                    item["_received"] = received
                    if canaries:
                        item["_canaries"] = canaries
                if not unpacked:
                    continue
                event, self._pending = unpacked[0], unpacked[1:]
            events.append(event)
            if event.get(profile.type_field) in ends:
                return events

    async def _close_sse(self) -> None:
        if self._sse is not None:
            await self._sse.close()
            self._sse = None

    async def close(self) -> None:
        await self._close_sse()
        if self._ws is not None:
            ws, self._ws = self._ws, None
            try:
                await ws.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not fail the caller
                pass


def load_session_class(spec: str) -> type:
    """`module:Class` -> the class (the documented entry point for a session of one's own)."""
    import importlib

    from testcanon.errors import ConfigError

    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise ConfigError(f"events.session.session_class must be 'module:Class', not {spec!r}")
    try:
        return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"events.session.session_class {spec!r} cannot be loaded: {exc}") from None


def make_session(base_url: str, username: str, *, config: SessionConfig | None = None, **options: Any) -> Any:
    """The session journey, load, the fixtures and Locust use: the configured class, or AgentSession."""
    config = config or SessionConfig()
    cls = load_session_class(config.session_class) if config.session_class else AgentSession
    return cls(base_url, username, config=config, **options)


def login_answer(status: int, text: str, config: SessionConfig, username: str) -> tuple[str, str]:
    """(token, user id) from a login answer, as the platform's profile locates them; the user id
    is the username when the answer does not say. A refusal is this user's `SessionError`."""
    if status != 200:
        raise SessionError(f"login failed: HTTP {status} {text[:200]}")
    try:
        answer = json.loads(text)
    except ValueError:
        raise SessionError("login failed: the answer is not JSON") from None
    token = dig(answer, config.token_path)
    if not isinstance(token, str) or not token:
        raise SessionError(f"login failed: no token at {config.token_path!r} in the answer")
    user_id = dig(answer, config.user_id_path) if config.user_id_path else None
    return token, str(user_id) if user_id is not None else username
