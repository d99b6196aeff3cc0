"""The `ag-ui` profile agrees with AG-UI's own verifier on every stream of the conformance set.

The set (tests/events/agui_conformance/cases/) is every stream AG-UI's `verifyEvents` tests push
into the verifier, recorded in full, plus the Dart and .NET SDKs' recorded fixtures; verdicts.json
holds what AG-UI's TypeScript code says of each (build_cases.py rebuilds both): `verify` is
`verifyEvents` alone, `schema` the event schema alone, `client` both as AG-UI's client runs them.
Agreement means the same first rejected event (its index), not just the same yes/no.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testcanon.events.profiles import ag_ui
from testcanon.events.validator import validate

HERE = Path(__file__).parent / "agui_conformance"
VERDICTS = json.loads((HERE / "verdicts.json").read_text())
CASES = sorted(VERDICTS["cases"])
STRICT_ONLY = {"run-not-finished", "identity-run", "identity-thread",
               "thinking-pairing-closed-before-terminal",
               "thinking-message-pairing-closed-before-terminal"}


def events_of(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / "cases" / name).read_text().splitlines() if line.strip()]


def first_rejected(events: list[dict], **options: bool) -> int | None:
    violations = validate(events, ag_ui(**options)).violations
    return violations[0].index if violations else None


def test_the_set_is_what_it_says() -> None:
    sources = {name.split("-")[0] for name in CASES}
    assert sources == {"ts", "dart", "dotnet", "fixtures"} and len(CASES) >= 150
    verdicts = [VERDICTS["cases"][c]["client"]["valid"] for c in CASES]
    assert verdicts.count(True) >= 30 and verdicts.count(False) >= 30  # both kinds, plenty of each
    assert VERDICTS["ag_ui_commit"].startswith("821b8c227c6f")


@pytest.mark.parametrize("name", CASES)
def test_agrees_with_agui_client(name: str) -> None:
    """Default profile = AG-UI's client: each event parsed with EventSchemas, then verifyEvents."""
    assert first_rejected(events_of(name)) == VERDICTS["cases"][name]["client"]["index"], \
        VERDICTS["cases"][name]["client"]["error"]


@pytest.mark.parametrize("name", CASES)
def test_agrees_with_verify_events_alone(name: str) -> None:
    assert first_rejected(events_of(name), fields=False) == VERDICTS["cases"][name]["verify"]["index"], \
        VERDICTS["cases"][name]["verify"]["error"]


def test_strict_mode_differs_only_by_its_documented_rules() -> None:
    differences = 0
    for name in CASES:
        events = events_of(name)
        loose = validate(events, ag_ui()).violations
        strict = validate(events, ag_ui(strict=True)).violations
        extra = [v for v in strict if (v.index, v.rule) not in {(w.index, w.rule) for w in loose}]
        assert {v.rule for v in extra} <= STRICT_ONLY, (name, extra)
        differences += bool(extra) and not loose
    assert differences > 0  # the strict rules do bite on some of AG-UI's own streams
