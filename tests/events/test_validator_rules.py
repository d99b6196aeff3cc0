"""Every rule of both built-in profiles, positive and negative."""

from __future__ import annotations

import pytest

from testcanon.events import get_profile, validate

AGENT = get_profile("agent-events")
AGUI = get_profile("ag-ui")


def ev(kind: str, run: str = "r1", user: str = "u1", **extra) -> dict:
    return {"type": kind, "run_id": run, "user_id": user, **extra}


GOOD_RUN = [ev("agent_started"), ev("agent_thinking"),
            ev("tool_executing", tool_call_id="t1", tool_name="calc"),
            ev("tool_completed", tool_call_id="t1", tool_name="calc"),
            ev("agent_thinking"), ev("agent_completed")]


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
      ev("tool_completed", tool_call_id="t"), ev("agent_completed")],
     ["tool_executing-after-agent_thinking"]),
    ([ev("agent_started"), ev("agent_completed")],
     ["agent_completed-after-agent_thinking", "required-types"]),
    ([ev("agent_started"), ev("agent_thinking"), ev("tool_executing", tool_call_id="t"),
      ev("agent_completed")],
     ["tool-pairing-closed-before-terminal", "required-types"]),
    ([ev("agent_started"), ev("agent_thinking"), ev("tool_completed", tool_call_id="t"),
      ev("tool_executing", tool_call_id="x"), ev("tool_completed", tool_call_id="x"), ev("agent_completed")],
     ["tool-pairing"]),
    ([*GOOD_RUN[:3], ev("tool_completed", tool_call_id="t1", user="u2"), *GOOD_RUN[4:]], ["identity-user"]),
    ([*GOOD_RUN[:3], ev("tool_completed", run="other", tool_call_id="t1"), *GOOD_RUN[4:]], ["identity-run"]),
    (GOOD_RUN[:-1], ["run-not-finished", "required-types"]),
    ([*GOOD_RUN[:2], ev("agent_mystery"), *GOOD_RUN[2:]], ["known-types"]),
    ([*GOOD_RUN[:2], ev("agent_started", run="r9"), *GOOD_RUN[2:]],
     ["run-not-finished", "identity-run", "tool_executing-after-agent_thinking", "identity-run",
      "identity-run", "identity-run"]),
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
    """An AG-UI event with only the fields the protocol gives it: threadId/runId on RUN_STARTED and
    RUN_FINISHED alone (a helper that stamped runId on every event once hid false rejects)."""
    run = {"threadId": "th", "runId": "r1"} if kind in ("RUN_STARTED", "RUN_FINISHED") else {}
    return {"type": kind, **run, **extra}


AGUI_RUN = [agui("RUN_STARTED"), agui("TEXT_MESSAGE_START", messageId="m1", role="assistant"),
            agui("TEXT_MESSAGE_CONTENT", messageId="m1", delta="hi"),
            agui("TEXT_MESSAGE_END", messageId="m1"),
            agui("TOOL_CALL_START", toolCallId="c1", toolCallName="calc"),
            agui("TOOL_CALL_ARGS", toolCallId="c1", delta="{}"), agui("TOOL_CALL_END", toolCallId="c1"),
            agui("STATE_SNAPSHOT", snapshot={}), agui("RUN_FINISHED")]
ERROR = agui("RUN_ERROR", message="boom")
STEP = [agui("STEP_STARTED", stepName="plan"), agui("STEP_FINISHED", stepName="plan")]
THINK = [agui("THINKING_START"), agui("THINKING_TEXT_MESSAGE_START"),
         agui("THINKING_TEXT_MESSAGE_CONTENT", delta="h"), agui("THINKING_TEXT_MESSAGE_END"),
         agui("THINKING_END")]


def test_ag_ui_valid_runs() -> None:
    assert rules(AGUI_RUN, AGUI) == []
    assert rules([AGUI_RUN[0], *STEP, *THINK, AGUI_RUN[-1]], AGUI) == []


@pytest.mark.parametrize(("events", "expected"), [
    (AGUI_RUN[1:], ["start-first"]),
    ([*AGUI_RUN, agui("TEXT_MESSAGE_START", messageId="m2")], ["nothing-after-terminal"]),
    ([AGUI_RUN[0], AGUI_RUN[2], *AGUI_RUN[3:]], ["text-message-pairing", "text-message-pairing"]),
    ([*AGUI_RUN[:6], *AGUI_RUN[7:]], ["tool-call-pairing-closed-before-terminal"]),
    ([AGUI_RUN[0], agui("TOOL_CALL_ARGS", toolCallId="zz", delta="x"), AGUI_RUN[-1]], ["tool-call-pairing"]),
    ([AGUI_RUN[0], agui("NOT_AN_EVENT"), AGUI_RUN[-1]], ["known-types"]),
    ([AGUI_RUN[0], agui("RUN_STARTED"), AGUI_RUN[-1]], ["run-not-finished"]),
    # RUN_ERROR: first, after RUN_FINISHED, while a message is open: all allowed; after it, only RUN_STARTED
    ([ERROR, *AGUI_RUN], []),
    ([*AGUI_RUN, ERROR], []),
    ([*AGUI_RUN[:2], ERROR, *AGUI_RUN], []),
    ([AGUI_RUN[0], ERROR, AGUI_RUN[-1]], ["nothing-after-terminal"]),
    # steps pair by stepName and are closed at RUN_FINISHED
    ([AGUI_RUN[0], STEP[1], AGUI_RUN[-1]], ["step-pairing"]),
    ([AGUI_RUN[0], STEP[0], AGUI_RUN[-1]], ["step-pairing-closed-before-terminal"]),
    ([AGUI_RUN[0], STEP[0], STEP[0], STEP[1], AGUI_RUN[-1]], ["step-pairing"]),
    # THINKING_TEXT_MESSAGE_* inside THINKING_START/END, one at a time
    ([AGUI_RUN[0], THINK[1], AGUI_RUN[-1]], ["thinking-message-pairing"]),
    ([AGUI_RUN[0], THINK[0], THINK[0], AGUI_RUN[-1]], ["thinking-pairing"]),
    ([AGUI_RUN[0], THINK[0], THINK[2], AGUI_RUN[-1]], ["thinking-message-pairing"]),
    ([AGUI_RUN[0], THINK[4], AGUI_RUN[-1]], ["thinking-pairing"]),
    # fields from the schema
    ([AGUI_RUN[0], agui("TEXT_MESSAGE_START"), AGUI_RUN[-1]],
     ["fields", "text-message-pairing-closed-before-terminal"]),
    ([AGUI_RUN[0], agui("TOOL_CALL_START", toolCallId="c", toolCallName=3),
      agui("TOOL_CALL_END", toolCallId="c"), AGUI_RUN[-1]], ["fields"]),
    ([{"type": "RUN_STARTED", "threadId": "th"}, AGUI_RUN[-1]], ["fields"]),
    ([AGUI_RUN[0], agui("TEXT_MESSAGE_START", messageId="m"), agui("TEXT_MESSAGE_CONTENT", messageId="m"),
      agui("TEXT_MESSAGE_END", messageId="m"), AGUI_RUN[-1]], ["fields"]),
    ([AGUI_RUN[0], agui("TOOL_CALL_START", toolCallId="c", toolCallName="n", parentMessageId=None),
      agui("TOOL_CALL_END", toolCallId="c"), AGUI_RUN[-1]], []),
    # a stream may end inside a run, text events carry no runId
    (AGUI_RUN[:3], []),
])
def test_ag_ui_violations(events, expected) -> None:
    assert rules(events, AGUI) == expected


@pytest.mark.parametrize(("events", "expected"), [
    (AGUI_RUN[:3], ["run-not-finished"]),
    ([AGUI_RUN[0], agui("RUN_FINISHED", runId="r2")], ["identity-run"]),
    ([AGUI_RUN[0], agui("RUN_FINISHED", threadId="t2")], ["identity-thread"]),
    ([AGUI_RUN[0], THINK[0], AGUI_RUN[-1]], ["thinking-pairing-closed-before-terminal"]),
    (AGUI_RUN, []),
])
def test_ag_ui_strict_mode(events, expected) -> None:
    assert rules(events, get_profile("ag-ui", strict=True)) == expected
    assert rules(events, AGUI) == []


def test_ag_ui_event_names_are_pinned_not_installed() -> None:
    """The known types are the pinned protocol's (the TOML), whatever ag-ui-protocol is installed."""
    import tomllib

    from testcanon.events.profiles import PROTOCOLS

    table = tomllib.loads((PROTOCOLS / "ag-ui.toml").read_text())
    assert AGUI.known == frozenset(table["fields"]) and len(AGUI.known) == 33
    assert "0.0.58" in AGUI.protocol_version
    assert get_profile("ag-ui", strict=False).known is AGUI.known or get_profile("ag-ui").known == AGUI.known


def test_ag_ui_without_fields_is_verify_events_alone() -> None:
    from testcanon.events.profiles import ag_ui

    loose = ag_ui(fields=False)
    assert loose.known is None and not loose.fields
    assert rules([AGUI_RUN[0], agui("TEXT_MESSAGE_START"), agui("NOT_AN_EVENT"), AGUI_RUN[-1]], loose) == [
        "text-message-pairing-closed-before-terminal"]


def test_user_profile_from_config() -> None:
    from testcanon.config import EventsConfig
    from testcanon.errors import ConfigError

    config = EventsConfig(profiles={"strict": {"extends": "agent-events", "max_gap": 2,
                                               "required": ["agent_started"]}})
    profile = get_profile("strict", config)
    assert profile.max_gap == 2.0 and profile.required == ("agent_started",)
    with pytest.raises(ConfigError, match="did you mean 'max_gap'"):
        get_profile("bad", EventsConfig(profiles={"bad": {"max_gapp": 1}}))


def test_the_generated_fast_path_agrees_with_the_general_path_on_random_streams() -> None:
    """Every profile with a fast path: 3,000 random streams, the same violations (index, rule, message)."""
    import random

    from testcanon.events import Validator
    from testcanon.events.fastpath import event_struct, struct_fields
    from testcanon.events.profiles import ag_ui

    rng = random.Random(21)
    kinds = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed",
             "agent_error", "mystery"]
    profiles = [AGENT, ag_ui(fields=False)]
    agui_kinds = ["RUN_STARTED", "RUN_FINISHED", "RUN_ERROR", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT",
                  "TEXT_MESSAGE_END", "TOOL_CALL_START", "TOOL_CALL_END", "STEP_STARTED", "STEP_FINISHED",
                  "THINKING_START", "THINKING_END", "CUSTOM"]
    fast_seen = 0
    for number in range(3000):
        profile = profiles[number % 2]
        names = kinds if profile is AGENT else agui_kinds
        stream = []
        for _ in range(rng.randint(1, 14)):
            event = {"type": rng.choice(names)}
            for field_name, values in (("run_id", ["r1", "r2", None]), ("user_id", ["u1", "u2", None]),
                                       ("tool_call_id", ["t1", "t2", None]), ("tool_name", ["calc", None]),
                                       ("messageId", ["m1", None]), ("toolCallId", ["c1", None]),
                                       ("stepName", ["s1", None])):
                value = rng.choice(values)
                if value is not None:
                    event[field_name] = value
            stream.append(event)
        fast, general, structs = Validator(profile), Validator(profile), Validator(profile)
        assert fast.feed is not general._feed_general
        fast_seen += "feed" in fast.__dict__
        for event in stream:
            assert list(fast.feed(event)) == list(general._feed_general(event)), (profile.name, stream)
        assert fast.finish() == general.finish()
        assert fast.violations == general.violations and fast.types_seen == general.types_seen
        shape = event_struct(struct_fields(profile))
        structs.feed_structs([shape(**{k: v for k, v in e.items() if k in shape.__struct_fields__})
                              for e in stream])
        structs.finish()
        assert [(v.index, v.rule, v.message) for v in structs.violations] == \
            [(v.index, v.rule, v.message) for v in general.violations], (profile.name, stream)
    assert fast_seen == 3000  # both profiles have a generated fast path


def test_event_coverage_counts_a_rule_only_when_seen_to_hold_and_to_fail(tmp_path) -> None:
    from testcanon.events.coverage import Recorder, load_event_coverage

    recorder = Recorder()
    recorder.current_test = "test_happy"
    recorder.record(AGENT, validate(GOOD_RUN, AGENT))
    recorder.write(tmp_path, "gw0")
    happy = load_event_coverage(tmp_path)
    assert happy is not None and [i for i in happy.exercised if i.startswith("rule:")] == []  # held only
    recorder.current_test = "test_unpaired"
    recorder.record(AGENT, validate([*GOOD_RUN[:3], *GOOD_RUN[4:]], AGENT))
    recorder.write(tmp_path, "gw0")
    both = load_event_coverage(tmp_path)
    assert [i for i in both.exercised if i.startswith("rule:")] == [
        "rule:tool-pairing-closed-before-terminal", "rule:required-types"]
    assert "tool-pairing" in both.to_json()["held_only"]
