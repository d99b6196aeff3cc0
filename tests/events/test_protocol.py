("A platform's wire format as data: the seed platform's example profile "
 "(examples/agent_chat/netra-events.toml).")

from __future__ import annotations

import json

import pytest

from canon_support import REPO_ROOT, run_canon
from testcanon.config import EventsConfig
from testcanon.errors import ConfigError
from testcanon.events.profiles import get_profile, load_profile_file
from testcanon.events.validator import validate

NETRA_FILE = REPO_ROOT / "examples" / "agent_chat" / "netra-events.toml"
NETRA = load_profile_file(NETRA_FILE)


def frame(kind: str, thread: str = "th1", run: str = "run1", second: int = 0, **extra) -> dict:
    """A frame as the platform's emitter builds it (None values dropped, so no user_id here)."""
    return {"type": kind, "run_id": run, "thread_id": thread, "request_id": "req",
            "timestamp": f"2025-09-17T10:00:{second:02d}+00:00", "data": {}, **extra}


def run_of(thread: str, run: str, start: int = 0) -> list[dict]:
    kinds = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]
    return [frame(k, thread, run, start + i, tool_call_id=f"{run}-t" if k.startswith("tool") else None)
            for i, k in enumerate(kinds)]


def rules(frames: list[dict], **kwargs) -> list[str]:
    return [v.rule for v in validate(frames, NETRA, **kwargs).violations]


def test_a_plain_run_is_valid_and_missing_user_ids_are_not_foreign() -> None:
    assert rules(run_of("th1", "run1")) == []
    assert rules(run_of("th1", "run1"), user_id="alice") == []  # no user_id on any frame: nothing foreign
    stamped = [dict(f, user_id="bob") if i == 2 else f for i, f in enumerate(run_of("th1", "run1"))]
    assert rules(stamped, user_id="alice") == ["identity-user"]


def test_control_frames_are_ignored() -> None:
    frames = [{"type": "connection_established", "connection_id": "c1"}, *run_of("th1", "run1")]
    frames.insert(3, {"type": "heartbeat"})
    frames.append({"type": "pong"})
    assert rules(frames) == []
    assert rules([{"type": "heartbeat"}]) == ["required-types"]  # nothing but control frames: no event at all


def test_aliases_map_to_the_canonical_events() -> None:
    names = {"agent_started": "agent_start", "tool_executing": "tool_execute",
             "tool_completed": "tool_complete",
             "agent_completed": "agent_complete"}
    aliased = [dict(f, type=names.get(f["type"], f["type"])) for f in run_of("th1", "run1")]
    assert rules(aliased) == []
    validator = validate(aliased, NETRA)
    assert validator.types_seen >= {"agent_started", "tool_completed"} and \
        "agent_start" not in validator.types_seen
    assert rules(aliased[1:])[0] == "start-first"  # an alias is judged as its canonical event


def test_batches_are_unpacked_in_order_even_when_grouped_by_type() -> None:
    events = run_of("th1", "run1")
    grouped: dict[str, list] = {}
    for event in [events[0], events[1], events[2], events[3], frame("agent_thinking", second=3), events[4]]:
        grouped.setdefault(event["type"], []).append(event)
    batch = {"type": "event_batch", "user_id": None, "batch_id": "b1", "events": grouped, "batch_size": 6}
    assert rules([batch]) == []
    assert validate([batch], NETRA).index == 5
    as_list = {"type": "event_batch", "events": events[:2]}
    assert rules([as_list, *events[2:]]) == []
    assert rules([{"type": "event_batch", "events": {"agent_completed": [events[4]]}},
                  *events[:4]])[0] == "start-first"


def test_interleaved_threads_on_one_connection() -> None:
    one, two = run_of("th1", "run1"), run_of("th2", "run2", start=1)
    interleaved = [e for pair in zip(one, two, strict=True) for e in pair]
    assert rules(interleaved) == []
    broken = [e for e in interleaved if not (e["thread_id"] == "th2" and e["type"] == "tool_completed")]
    found = validate(broken, NETRA).violations
    assert [v.rule for v in found] == ["tool-pairing-closed-before-terminal"]
    assert found[0].event["thread_id"] == "th2"
    foreign_run = [dict(e, run_id="run9") if e["thread_id"] == "th2" and e["type"] == "tool_executing" else e
                   for e in interleaved]
    assert rules(foreign_run) == ["identity-run"]
    # the same stream without run_key: one run at a time per connection, so interleaving is a violation
    one_at_a_time = get_profile("agent-events")
    assert [v.rule for v in validate(interleaved, one_at_a_time).violations][:1] == ["run-not-finished"]


def test_the_cli_validates_a_recorded_stream_with_the_example_profile(tmp_path) -> None:
    one, two = run_of("th1", "run1"), run_of("th2", "run2", start=1)
    frames = [{"type": "connection_established"}, *[e for pair in zip(one, two, strict=True) for e in pair],
              {"type": "heartbeat"}]
    stream = tmp_path / "netra.jsonl"
    stream.write_text("".join(json.dumps(f) + "\n" for f in frames))
    result = run_canon("events", "validate", str(stream), "--profile", str(NETRA_FILE), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "10 events, valid (netra)" in result.stdout
    stream.write_text("".join(json.dumps(f) + "\n" for f in frames[:-3]))
    result = run_canon("events", "validate", str(stream), "--profile", str(NETRA_FILE), cwd=tmp_path)
    assert result.returncode == 1 and "run-not-finished" in result.stdout


@pytest.mark.parametrize(("table", "message"), [
    ({"aliases": {"heartbeat": "agent_started"}, "ignore": ["heartbeat"]}, "both an alias and a control"),
    ({"batch": {"event_batch": {"field": "events", "sort": "x"}}}, "'sort' unknown key"),
    ({"pairings": [{"name": "p", "start": "a", "end": "b", "keyy": "k"}]}, "did you mean 'key'"),
    ({"fields": {"A": {"x": "strr"}}}, "unknown field type 'strr'"),
])
def test_a_bad_description_is_a_one_line_error(table, message) -> None:
    with pytest.raises(ConfigError, match=message):
        get_profile("mine", EventsConfig(profiles={"mine": table}))
