"""Per-file facts cached by stat data, then content digest (the scan cache's scheme).

Stored with `marshal` (data only, cannot execute anything when loaded); keyed by tool and
interpreter version; anything unreadable or foreign is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path

from testcanon.__about__ import __version__
from testcanon.state import atomic_write_bytes, state_dir

_IDENTITY = ("testcanon-check-facts", 8, __version__, sys.version)
_RACY_NS = 2_000_000_000


class FactsCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / ".testcanon" / "cache" / "check-facts.marshal"
        self.entries: dict[str, tuple] = {}
        self.dirty = False
        try:
            identity, entries = marshal.loads(self.path.read_bytes())
            if identity == _IDENTITY and isinstance(entries, dict):
                self.entries = entries
        except (OSError, EOFError, ValueError, TypeError):
            pass

    def by_stat(self, relpath: str, key: tuple[int, int, int], shapes: bool):
        entry = self.entries.get(relpath)
        try:
            if entry is not None and entry[0] == key and entry[2] == shapes:
                return entry[3]
        except (TypeError, IndexError):
            pass
        return False

    def by_digest(self, relpath: str, digest: bytes, shapes: bool):
        entry = self.entries.get(relpath)
        try:
            if entry is not None and entry[1] == digest and entry[2] == shapes:
                return entry[3]
        except (TypeError, IndexError):
            pass
        return False

    def store(self, relpath: str, key: tuple[int, int, int], digest: bytes, shapes: bool,
              facts: object, now_ns: int) -> None:
        trusted = key[1] < now_ns - _RACY_NS
        self.entries[relpath] = (key if trusted else None, digest, shapes, facts)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            state_dir(self.root)
            atomic_write_bytes(self.path, marshal.dumps((_IDENTITY, self.entries)))
        except (OSError, ValueError):
            pass
        self.dirty = False


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()
