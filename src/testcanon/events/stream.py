"""Recorded streams: JSONL, one frame of one connection per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from testcanon.errors import UsageError


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError as exc:
                raise UsageError(f"{path}:{number}: not a JSON frame: {exc}") from None
            if not isinstance(event, dict):
                raise UsageError(f"{path}:{number}: a frame must be a JSON object")
            yield event
