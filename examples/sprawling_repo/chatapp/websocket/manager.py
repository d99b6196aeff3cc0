"""Routes each event to the connections of the user it belongs to, and only to them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Send = Callable[[dict], None]


class ConnectionManager:
    def __init__(self) -> None:
        self._connections: dict[str, dict[str, Send]] = defaultdict(dict)

    def connect(self, user_id: str, connection_id: str, send: Send) -> None:
        self._connections[user_id][connection_id] = send

    def disconnect(self, user_id: str, connection_id: str) -> None:
        self._connections[user_id].pop(connection_id, None)
        if not self._connections[user_id]:
            del self._connections[user_id]

    def connected_users(self) -> list[str]:
        return sorted(self._connections)

    def dispatch(self, event: dict) -> int:
        """Send `event` to every connection of `event["user_id"]`; returns how many got it."""
        targets = list(self._connections.get(event["user_id"], {}).values())
        for send in targets:
            send(event)
        return len(targets)
