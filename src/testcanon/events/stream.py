"""Recorded streams: JSONL, one frame of one connection per line.

Parsing dominated end-to-end validation (57-74k events/s with the stdlib's `json`): msgspec decodes
a whole chunk of lines in one C call (`decode_lines`), several times faster. A chunk that does not
decode is read again line by line with the stdlib, to name the line and the error exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from testcanon.errors import UsageError

CHUNK = 1 << 22  # bytes read and decoded at once


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The frames of a recorded stream, one by one."""
    for chunk in read_jsonl_chunks(path):
        yield from chunk


def read_jsonl_chunks(path: Path, struct: Any = None) -> Iterator[list[Any]]:
    """The frames of a recorded stream, a decoded chunk (~4 MiB of lines) at a time: dicts, or
    instances of `struct` (a msgspec Struct: only its fields are decoded, the rest skipped)."""
    import msgspec

    decode = (msgspec.json.Decoder(struct).decode_lines if struct is not None
              else msgspec.json.Decoder().decode_lines)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        line_number = 1  # of the first line of the current chunk
        rest = b""
        while True:
            try:
                data = handle.read(CHUNK)
            except OSError as exc:
                raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
            if not data:
                chunk, rest = rest, b""
            else:
                data = rest + data
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data
                    continue
                chunk, rest = data[:cut], data[cut:]
            if chunk:
                try:
                    frames = decode(chunk)
                except msgspec.DecodeError:
                    _explain(path, chunk, line_number)
                    raise AssertionError("unreachable") from None  # _explain always raises
                if struct is None and frames and set(map(type, frames)) != {dict}:
                    _explain(path, chunk, line_number)
                yield frames
                line_number += chunk.count(b"\n")
            if not data:
                return


def _explain(path: Path, chunk: bytes, first_line: int) -> None:
    """The exact line and error of a chunk that does not decode (a UsageError, always)."""
    for number, line in enumerate(chunk.split(b"\n"), first_line):
        if not line.strip():
            continue
        try:
            frame = json.loads(line)
        except ValueError as exc:
            raise UsageError(f"{path}:{number}: not a JSON frame: {exc}") from None
        if not isinstance(frame, dict):
            raise UsageError(f"{path}:{number}: a frame must be a JSON object")
    raise UsageError(f"{path}:{first_line}: not a JSON frame")
