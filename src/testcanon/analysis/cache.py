"""The facts of many files, cached per file by stat data, then content digest (the scan cache's scheme).

`facts_for` is the one way to get facts: `canon check`, `canon run --affected` and `canon
migrate` all read the same cache. Stored with `marshal` (data only, cannot execute anything
when loaded); keyed by tool and interpreter version; anything unreadable or foreign is ignored
and rebuilt. Files are parsed in worker processes when there are many.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from testcanon.__about__ import __version__
from testcanon.analysis.extractor import extract
from testcanon.analysis.facts import FileFacts
from testcanon.config import Project
from testcanon.source import GlobSet, SourceFile
from testcanon.state import atomic_write_bytes, state_dir

__all__ = ["FactsCache", "digest", "facts_for"]

_IDENTITY = ("testcanon-check-facts", 11, __version__, sys.version)
_RACY_NS = 2_000_000_000
_PARALLEL_MIN = 64
_Key = tuple[int, int, int]
_Extracted = tuple[str, _Key, bool, bytes, "FileFacts | None", bool]


class FactsCache:
    """One file per repository (`.testcanon/cache/check-facts.marshal`): relpath -> (stat key or
    None when the mtime was too recent to trust, digest, shapes, facts as `FileFacts.to_data()`)."""

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

    def by_stat(self, relpath: str, key: _Key, shapes: bool) -> FileFacts | None | bool:
        """The cached facts when the file's stat data is unchanged (None: it did not parse), else False."""
        entry = self.entries.get(relpath)
        try:
            if entry is not None and entry[0] == key and entry[2] == shapes:
                return None if entry[3] is None else FileFacts.from_data(entry[3])
        except (TypeError, IndexError, ValueError, AttributeError):
            pass
        return False

    def known_digest(self, relpath: str, shapes: bool) -> bytes:
        """The content digest the cached facts of `relpath` were extracted from (b"" if none)."""
        entry = self.entries.get(relpath)
        if entry is not None and isinstance(entry, tuple) and len(entry) == 4 and entry[2] == shapes:
            return entry[1] if isinstance(entry[1], bytes) else b""
        return b""

    def cached(self, relpath: str) -> FileFacts | None:
        data = self.entries[relpath][3]
        return None if data is None else FileFacts.from_data(data)

    def store(self, relpath: str, key: _Key, digest: bytes, shapes: bool,
              facts: FileFacts | None, now_ns: int) -> None:
        trusted = key[1] < now_ns - _RACY_NS
        data = None if facts is None else facts.to_data()
        self.entries[relpath] = (key if trusted else None, digest, shapes, data)
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


def facts_for(project: Project, files: Sequence[SourceFile], infra: GlobSet, *, jobs: int | None = None,
              use_cache: bool = True) -> dict[str, FileFacts]:
    """The facts of every file of `files` that parses, by relpath; the definitions' shapes only
    for files `infra` matches (the duplication rules read them there alone)."""
    cache = FactsCache(project.root) if use_cache else None
    result: dict[str, FileFacts] = {}
    pending: list[tuple[SourceFile, _Key, bool]] = []
    for source in files:
        try:
            st = os.stat(source.abspath)
        except OSError:
            continue
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
        shapes = infra.match(source.relpath)
        if cache is not None:
            hit = cache.by_stat(source.relpath, key, shapes)
            if hit is not False:
                if hit is not None:
                    result[source.relpath] = hit  # type: ignore[assignment]
                continue
        pending.append((source, key, shapes))
    now = time.time_ns()
    for relpath, key, shapes, data_digest, facts, _reused in _extract_all(pending, cache, jobs):
        if cache is not None:
            cache.store(relpath, key, data_digest, shapes, facts, now)
        if facts is not None:
            result[relpath] = facts
    if cache is not None:
        cache.save()
    return result


def _extract_one(item: tuple[str, str, _Key, bool, bytes]) -> _Extracted:
    abspath, relpath, key, shapes, known = item
    try:
        with open(abspath, "rb") as handle:
            data = handle.read()
    except OSError:
        return relpath, key, shapes, b"", None, False
    data_digest = digest(data)
    if data_digest == known:
        return relpath, key, shapes, data_digest, None, True
    return relpath, key, shapes, data_digest, extract(data, relpath, shapes=shapes), False


def _extract_batch(batch: list[Any]) -> list[_Extracted]:
    import gc

    gc.disable()
    return [_extract_one(item) for item in batch]


def _extract_all(pending: list[tuple[SourceFile, _Key, bool]], cache: FactsCache | None,
                 jobs: int | None) -> Iterator[_Extracted]:
    items = [(source.abspath, source.relpath, key, shapes,
              cache.known_digest(source.relpath, shapes) if cache is not None else b"")
             for source, key, shapes in pending]
    from testcanon.syntax.scan import default_jobs

    jobs = jobs or default_jobs()
    if jobs > 1 and len(items) >= _PARALLEL_MIN:
        from testcanon.limits import worker_pool

        size = max(8, len(items) // (jobs * 8))
        batches = [items[i:i + size] for i in range(0, len(items), size)]
        with worker_pool(jobs, fork=True) as pool:
            results = [r for batch in pool.map(_extract_batch, batches) for r in batch]
    else:
        results = [_extract_one(item) for item in items]
    for relpath, key, shapes, data_digest, facts, reused in results:
        if reused and cache is not None:
            facts = cache.cached(relpath)
        yield relpath, key, shapes, data_digest, facts, reused
