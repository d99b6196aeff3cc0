"""SSE/HTTP streaming, as AG-UI servers commonly answer: a POST whose response is `data:` events.

Comments (`: ping`), `event:`/`id:`/`retry:` fields and blank keep-alives are skipped; multi-line
`data:` fields are joined with newlines, as the SSE specification says.
"""

from __future__ import annotations

import asyncio
from typing import Any


class SSEStream:
    def __init__(self, http: Any, url: str, payload: dict[str, Any], headers: dict[str, str],
                 timeout: float) -> None:
        self.http = http
        self.url = url
        self.payload = payload
        self.headers = {"Accept": "text/event-stream", **headers}
        self.timeout = timeout
        self._own: Any = None
        self._context: Any = None
        self._lines: Any = None

    async def open(self) -> None:
        import httpx

        from testcanon.events.client import SessionError

        client = self.http
        if client is None:
            client = self._own = httpx.AsyncClient(timeout=self.timeout)
        self._context = client.stream("POST", self.url, json=self.payload, headers=self.headers)
        response = await self._context.__aenter__()
        if response.status_code != 200:
            body = (await response.aread())[:200]
            await self.close()
            raise SessionError(f"stream refused: HTTP {response.status_code} {body!r}")
        self._lines = response.aiter_lines()

    async def next(self, remaining: float) -> str | None:
        """The next event's data, or None at the end of the stream."""
        import httpx

        from testcanon.events.client import SessionError

        data: list[str] = []
        while True:
            try:
                line = await asyncio.wait_for(anext(self._lines), remaining)
            except StopAsyncIteration:
                return "\n".join(data) if data else None
            except httpx.HTTPError as exc:
                raise SessionError(f"stream lost: {type(exc).__name__}") from None
            if not line:
                if data:
                    return "\n".join(data)
                continue
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))

    async def close(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                await context.__aexit__(None, None, None)
            except Exception:  # noqa: BLE001 - a broken stream must not fail the caller on close
                pass
        if self._own is not None:
            await self._own.aclose()
            self._own = None
