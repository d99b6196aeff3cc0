"""WebSocket fan-out of agent events to the right user."""

from chatapp.websocket.manager import ConnectionManager

__all__ = ["ConnectionManager"]
