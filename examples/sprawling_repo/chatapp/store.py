"""An in-memory store of chat threads, one list of messages per (user, thread)."""

from __future__ import annotations

import threading
from collections import defaultdict


class ThreadStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[tuple[str, str], list[dict]] = defaultdict(list)

    def append(self, user_id: str, thread_id: str, message: dict) -> None:
        with self._lock:
            self._threads[(user_id, thread_id)].append(dict(message))

    def messages(self, user_id: str, thread_id: str) -> list[dict]:
        with self._lock:
            return [dict(m) for m in self._threads.get((user_id, thread_id), [])]

    def threads_of(self, user_id: str) -> list[str]:
        with self._lock:
            return sorted(t for (u, t) in self._threads if u == user_id)
