"""Every rule of both built-in profiles, positive and negative."""

from __future__ import annotations

import pytest

from testcanon.events import get_profile, validate

AGENT = get_profile("agent-events")
AGUI = get_profile("ag-ui")


def ev(kind: str, run: str = "r1", user: str = "u1", **extra) -> dict:
    return {"type": kind, "run_id": run, "user_id": user, **extra}


GOOD_RUN = [ev("agent_started"), ev("agent_thinking"), ev("tool_executing", tool_call_id="t1", tool_name="calc"),
            ev("tool_completed", tool_call_id="t1", tool_name="calc"), ev("agent_thinking"), ev("agent_completed")]


def rules(events, profile=AGENT, **kwargs) -> list[str]:
    return [v.rule for v in validate(events, profile, **kwargs).violations]


def test_a_good_run_and_two_runs_in_a_row_are_valid() -> None:
    assert rules(GOOD_RUN) == []
    second = [dict(e, run_id="r2") for e in GOOD_RUN]
    assert rules(GOOD_RUN + second) == []


@pytest.mark.parametrize(("events", "expected"), [
    ([ev("agent_thinking"), *GOOD_RUN], ["start-first"]),
    ([*GOOD_RUN, ev("agent_thinking")], ["nothing-after-terminal"]),
    ([ev("agent_started"), ev("tool_executing", tool_call_id="t"), ev("agent_thinking"),
      ev("tool_completed", tool_call_id="t"), ev("agent_completed")], ["tool_executing-after-agent_thinking"]),
    ([ev("agent_started"), ev("agent_completed")], ["agent_completed-after-agent_thinking", "required-types"]),
    ([ev("agent_started"), ev("agent_thinking"), ev("tool_executing", tool_call_id="t"), ev("agent_completed")],
     ["tool-pairing-closed-before-terminal", "required-types"]),
    ([ev("agent_started"), ev("agent_thinking"), ev("tool_completed", tool_call_id="t"),
      ev("tool_executing", tool_call_id="x"), ev("tool_completed", tool_call_id="x"), ev("agent_completed")],
     ["tool-pairing"]),
    ([*GOOD_RUN[:3], ev("tool_completed", tool_call_id="t1", user="u2"), *GOOD_RUN[4:]], ["identity-user"]),
    ([*GOOD_RUN[:3], ev("tool_completed", run="other", tool_call_id="t1"), *GOOD_RUN[4:]], ["identity-run"]),
    (GOOD_RUN[:-1], ["run-not-finished", "required-types"]),
    ([*GOOD_RUN[:2], ev("agent_mystery"), *GOOD_RUN[2:]], ["known-types"]),
    ([*GOOD_RUN[:2], ev("agent_started", run="r9"), *GOOD_RUN[2:]],
     ["run-not-finished", "identity-run", "tool_executing-after-agent_thinking", "identity-run", "identity-run",
      "identity-run"]),
])
def test_agent_events_violations(events, expected) -> None:
    assert rules(events) == expected


def test_tools_pair_by_name_in_order_without_call_ids() -> None:
    run = [ev("agent_started"), ev("agent_thinking"), ev("tool_executing", tool_name="a"),
           ev("tool_executing", tool_name="a"), ev("tool_completed", tool_name="a"),
           ev("tool_completed", tool_name="a"), ev("agent_completed")]
    assert rules(run) == []
    assert rules(run[:5] + run[6:]) == ["tool-pairing-closed-before-terminal"]


def test_expected_user_of_the_connection() -> None:
    assert rules(GOOD_RUN, user_id="someone") == ["identity-user"] * 6


def test_violation_carries_index_and_frame() -> None:
    validator = validate([ev("agent_thinking")], AGENT)
    first = validator.violations[0]
    assert (first.index, first.rule, first.event["type"]) == (0, "start-first", "agent_thinking")


def test_timing_rules_with_arrival_times() -> None:
    from dataclasses import replace

    from testcanon.events import Validator

    profile = replace(AGENT, first_event_within=0.5, max_gap=1.0, run_within=2.0)
    validator = Validator(profile)
    validator.connected_at = 0.0
    for event, at in zip(GOOD_RUN, [0.8, 0.9, 1.0, 2.5, 2.6, 3.0], strict=True):
        validator.feed(event, received_at=at)
    assert [v.rule for v in validator.violations] == ["timing-first-event", "timing-gap", "timing-run"]


def agui(kind: str, **extra) -> dict:
    return {"type": kind, "threadId": "th", "runId": "r1", **extra}


AGUI_RUN = [agui("RUN_STARTED"), agui("TEXT_MESSAGE_START", messageId="m1", role="assistant"),
            agui("TEXT_MESSAGE_CONTENT", messageId="m1", delta="hi"), agui("TEXT_MESSAGE_END", messageId="m1"),
            agui("TOOL_CALL_START", toolCallId="c1", toolCallName="calc"),
            agui("TOOL_CALL_ARGS", toolCallId="c1", delta="{}"), agui("TOOL_CALL_END", toolCallId="c1"),
            agui("STATE_SNAPSHOT", snapshot={}), agui("RUN_FINISHED")]


def test_ag_ui_valid_run() -> None:
    assert rules(AGUI_RUN, AGUI) == []


@pytest.mark.parametrize(("events", "expected"), [
    (AGUI_RUN[1:], ["start-first"]),
    ([*AGUI_RUN, agui("TEXT_MESSAGE_START", messageId="m2")], ["nothing-after-terminal"]),
    ([AGUI_RUN[0], AGUI_RUN[2], *AGUI_RUN[3:]], ["text-message-pairing", "text-message-pairing"]),
    ([*AGUI_RUN[:6], *AGUI_RUN[7:]], ["tool-call-pairing-closed-before-terminal"]),
    ([AGUI_RUN[0], agui("TOOL_CALL_ARGS", toolCallId="zz", delta="x"), AGUI_RUN[-1]], ["tool-call-pairing"]),
    ([AGUI_RUN[0], agui("NOT_AN_EVENT"), AGUI_RUN[-1]], ["known-types"]),
    ([AGUI_RUN[0], agui("RUN_ERROR", message="boom"), agui("RUN_STARTED", runId="r2"), agui("RUN_FINISHED", runId="r2")], []),
])
def test_ag_ui_violations(events, expected) -> None:
    assert rules(events, AGUI) == expected


def test_ag_ui_event_names_come_from_the_protocol_package() -> None:
    from ag_ui.core import EventType

    assert AGUI.known == frozenset(e.value for e in EventType)


def test_user_profile_from_config() -> None:
    from testcanon.config import EventsConfig
    from testcanon.errors import ConfigError

    config = EventsConfig(profiles={"strict": {"extends": "agent-events", "max_gap": 2, "required": ["agent_started"]}})
    profile = get_profile("strict", config)
    assert profile.max_gap == 2.0 and profile.required == ("agent_started",)
    with pytest.raises(ConfigError, match="did you mean 'max_gap'"):
        get_profile("bad", EventsConfig(profiles={"bad": {"max_gapp": 1}}))
