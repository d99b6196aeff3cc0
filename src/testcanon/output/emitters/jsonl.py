"""JSON Lines: one finding per line, each the object the JSON document lists under `findings`.

A stream reader (`jq -c`, a log shipper) needs no whole-document parse; the baselined findings
are there too, each with its `baseline_state`, as in the document."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from testcanon.output.emitters import FindingsReport


def write(handle: IO[str], report: FindingsReport) -> None:
    handle.writelines(json.dumps(finding) + "\n" for finding in report.as_json())
