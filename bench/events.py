"""Agent events: validation throughput, 1,000 users held, and leak detection (injected vs detected).

    python bench/events.py [--events 1000000] [--users 1000] [--duration 20] [--ramp 2] [--think 1]
                           [--leak-users 40] [--leak-every 5] [--skip-load]

1. `Validator.feed` on a recorded five-event stream (agent-events profile), beside a naive loop
   that checks the same rules by hand and, on an AG-UI stream, beside AG-UI's Python SDK (its
   pydantic models, `TypeAdapter(Event)`), which checks each event's fields but no order.
   Targets: >= 1,000,000 events/s for feed, >= 500,000 events/s end to end (JSONL file -> verdict).
2. `canon load` against the reference server (a real process): --users users for --duration s after
   a --ramp s ramp, --think s apart; held = every user completed a journey, nothing failed, and the
   run ended within duration + ramp + 10 s.
3. Leak detection: the reference server with --leak-every N restamps every Nth event with another
   user's id and sends it to that user; breaches detected by ownership vs leaks the server injected.
All figures depend on the machine's load: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stream(n: int) -> list[dict]:
    """Agent-events runs: start, thinking, two tool calls, thinking, completed."""
    events: list[dict] = []
    run = 0
    while len(events) < n:
        run += 1
        rid = f"run-{run}"
        for kind, extra in (("agent_started", {}), ("agent_thinking", {}),
                            ("tool_executing", {"tool_call_id": f"{rid}-1", "tool_name": "calculator"}),
                            ("tool_completed", {"tool_call_id": f"{rid}-1", "tool_name": "calculator"}),
                            ("tool_executing", {"tool_call_id": f"{rid}-2", "tool_name": "lookup"}),
                            ("tool_completed", {"tool_call_id": f"{rid}-2", "tool_name": "lookup"}),
                            ("agent_thinking", {}), ("agent_completed", {})):
            events.append({"type": kind, "run_id": rid, "user_id": "u1", **extra})
    return events[:n]


def agui_stream(n: int) -> list[dict]:
    """AG-UI runs: RUN_STARTED, a streamed text message, a tool call, RUN_FINISHED."""
    events: list[dict] = []
    run = 0
    while len(events) < n:
        run += 1
        rid, mid, cid = f"run-{run}", f"m-{run}", f"c-{run}"
        events += [{"type": "RUN_STARTED", "threadId": "t1", "runId": rid},
                   {"type": "TEXT_MESSAGE_START", "messageId": mid, "role": "assistant"},
                   *({"type": "TEXT_MESSAGE_CONTENT", "messageId": mid, "delta": "word "} for _ in range(3)),
                   {"type": "TEXT_MESSAGE_END", "messageId": mid},
                   {"type": "TOOL_CALL_START", "toolCallId": cid, "toolCallName": "search"},
                   {"type": "TOOL_CALL_ARGS", "toolCallId": cid, "delta": "{}"},
                   {"type": "TOOL_CALL_END", "toolCallId": cid},
                   {"type": "RUN_FINISHED", "threadId": "t1", "runId": rid}]
    return events[:n]


def naive(events: list[dict]) -> int:
    """The five-event rules written out by hand, as a test might: the peer of Validator.feed."""
    problems, in_run, thinking, run_id, user = 0, False, False, None, None
    open_calls: set = set()
    for event in events:
        kind = event["type"]
        if user is None:
            user = event.get("user_id")
        elif event.get("user_id") != user:
            problems += 1
        if kind == "agent_started":
            in_run, thinking, run_id = True, False, event.get("run_id")
            open_calls.clear()
            continue
        if not in_run:
            problems += 1
            continue
        if event.get("run_id") != run_id:
            problems += 1
        if kind == "agent_thinking":
            thinking = True
        elif kind == "tool_executing":
            problems += not thinking
            open_calls.add(event["tool_call_id"])
        elif kind == "tool_completed":
            if event["tool_call_id"] in open_calls:
                open_calls.discard(event["tool_call_id"])
            else:
                problems += 1
        elif kind == "agent_completed":
            problems += bool(open_calls) or not thinking
            in_run = False
    return problems


def best_rate(count: int, work, trials: int = 5) -> float:
    best = float("inf")
    for _ in range(trials):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return count / best


def throughput(n: int) -> list[tuple[str, float, str]]:
    from ag_ui.core import Event
    from pydantic import TypeAdapter

    from testcanon.events import Validator, get_profile
    from testcanon.events.fastpath import event_struct, struct_fields
    from testcanon.events.stream import read_jsonl_chunks

    rows = []
    events = stream(n)
    five = get_profile("agent-events")

    def feed() -> None:
        validator = Validator(five)
        call = validator.feed
        for event in events:
            call(event)
        assert not validator.finish() and not validator.violations

    rows.append(("Validator.feed, agent-events (five events)", best_rate(n, feed), ">= 1,000,000"))
    rows.append(("naive loop, same rules by hand", best_rate(n, lambda: naive(events)), "peer"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stream.jsonl"
        path.write_text("".join(json.dumps(e) + "\n" for e in events))

        shape = event_struct(struct_fields(five))

        def end_to_end() -> None:  # what `canon events validate` does
            validator = Validator(five)
            fed = sum(validator.feed_structs(chunk) for chunk in read_jsonl_chunks(path, shape))
            assert fed == n and not validator.finish()

        def end_to_end_dicts() -> None:  # what `canon events validate --format json` does
            validator = Validator(five)
            fed = sum(validator.feed_many(chunk) for chunk in read_jsonl_chunks(path))
            assert fed == n and not validator.finish()

        def naive_end_to_end() -> None:
            with path.open() as handle:
                naive([json.loads(line) for line in handle])

        rows.append(("end to end: JSONL file -> verdict (msgspec Structs + feed)",
                     best_rate(n, end_to_end, 3),
                     ">= 500,000"))
        rows.append(("end to end, whole frames (msgspec dicts + feed)", best_rate(n, end_to_end_dicts, 3),
                     "peer"))
        rows.append(("end to end, naive (json.loads per line + naive loop)",
                     best_rate(n, naive_end_to_end, 3), "peer"))
    agui = agui_stream(n // 4)
    count = len(agui)
    sdk = TypeAdapter(Event)
    profile = get_profile("ag-ui")

    def agui_feed() -> None:
        validator = Validator(profile)
        for event in agui:
            validator.feed(event)
        assert not validator.finish() and not validator.violations

    rows.append(("Validator.feed, ag-ui (fields + order, pinned 0.0.58)", best_rate(count, agui_feed, 3),
                 "peer"))
    rows.append(("AG-UI Python SDK: TypeAdapter(Event) per event (fields only)",
                 best_rate(count, lambda: [sdk.validate_python(e) for e in agui], 3), "peer"))
    return rows


def start_server(port: int, *extra: str) -> subprocess.Popen:
    import httpx

    process = subprocess.Popen([sys.executable, str(ROOT / "examples" / "agent_chat" / "server.py"), "--port",
                                str(port), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the reference server did not start")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(args: argparse.Namespace) -> None:
    from testcanon.events.load import run_load

    port = free_port()
    server = start_server(port)
    try:
        started = time.monotonic()
        report = asyncio.run(run_load(f"http://127.0.0.1:{port}", users=args.users, duration=args.duration,
                                      ramp=args.ramp, think=args.think))
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    data = report.to_json()
    bound = args.duration + args.ramp + 10
    held = report.ok and elapsed <= bound
    print(f"\n`canon load --users {args.users} --duration {args.duration:g} --ramp {args.ramp:g} --think "
          f"{args.think:g}` against the reference server\n")
    print("| users | journeys | failed | users without a journey | breaches | p50 / p99 first event ms | "
          "p99 completion ms | elapsed s | bound s | held |\n|---|---|---|---|---|---|---|---|---|---|")
    ttfe, ttc = data["time_to_first_event_ms"], data["time_to_completion_ms"]
    print(f"| {args.users} | {data['journeys']} | {data['failed']} | {data['users_without_journey']} | "
          f"{data['isolation_breaches']['count']} | {ttfe['p50']} / {ttfe['p99']} | {ttc['p99']} | "
          f"{elapsed:.1f} | {bound:g} | {'yes' if held else 'NO'} |")


def leaks(args: argparse.Namespace) -> None:
    import httpx

    from testcanon.events.load import run_load

    port = free_port()
    server = start_server(port, "--leak-every", str(args.leak_every))
    try:
        report = asyncio.run(run_load(f"http://127.0.0.1:{port}", users=args.leak_users, duration=3, ramp=0.5,
                                      think=0.05))
        injected = httpx.get(f"http://127.0.0.1:{port}/stats").json()["leaked"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nLeaks: the reference server with --leak-every {args.leak_every} (restamped with the "
          f"recipient's user id), {args.leak_users} users for 3 s\n")
    print("| injected | detected | missed | examples kept |\n|---|---|---|---|")
    detected = report.breaches.count
    print(f"| {injected} | {detected} | {injected - detected} | {len(report.breaches.examples)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--ramp", type=float, default=2.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--leak-users", type=int, default=40)
    parser.add_argument("--leak-every", type=int, default=5)
    parser.add_argument("--skip-load", action="store_true", help="only the throughput table")
    args = parser.parse_args()
    print(f"Throughput ({args.events:,} events, one core, best of several trials)\n")
    print("| measure | events/s | target |\n|---|---|---|")
    for name, rate, target in throughput(args.events):
        print(f"| {name} | {rate:,.0f} | {target} |")
    if not args.skip_load:
        load(args)
        leaks(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
