"""JSON Lines (`--format jsonl`): one finding per line, each the object the JSON document lists
under `findings`, so a stream reader (`jq -c`, a log shipper) needs no whole-document parse."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def to_jsonl(findings: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(finding) + "\n" for finding in findings)
