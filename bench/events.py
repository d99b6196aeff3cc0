"""Event validation throughput, and `canon load` against the reference server on this machine.

    python bench/events.py [--events 1000000] [--users 100,250,500,1000] [--duration 30]

1. The streaming validator on a recorded stream of 1,000,000 agent events (many runs, two
   tools each), one core: events/s (target >= 300,000).
2. The reference server as a real process, then `canon load` with growing numbers of users,
   each held for --duration seconds: journeys, failures, p50/p99 time to first event, and the
   CPU share of server and load generator (target: >= 1,000 users with zero validation errors
   and p99 time-to-first-event under 250 ms). Loopback only; every run bounded in time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stream(n: int) -> list[dict]:
    events = []
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


def validator_throughput(n: int) -> tuple[float, int]:
    from testcanon.events import Validator, get_profile

    events = stream(n)
    validator = Validator(get_profile("agent-events"))
    feed = validator.feed
    started = time.perf_counter()
    for event in events:
        feed(event)
    validator.finish()
    return n / (time.perf_counter() - started), len(validator.violations)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", default="100,250,500,1000")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a user's journeys")
    args = parser.parse_args()
    rate, violations = validator_throughput(args.events)
    print("| measure | value |\n|---|---|")
    print(f"| validator throughput ({args.events:,} events, 1 core) | {rate:,.0f} events/s |")
    print(f"| violations in the recorded stream | {violations} |")
    server = subprocess.Popen([sys.executable, str(ROOT / "examples" / "agent_chat" / "server.py"), "--port",
                               str(args.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        url = f"http://127.0.0.1:{args.port}"
        print(f"\n(think time {args.think:g} s between a user's journeys)")
        print("\n| users | journeys | failed | breaches | p50 TTFE ms | p99 TTFE ms | p99 completion ms | "
              "server CPU | load CPU |\n|---|---|---|---|---|---|---|---|---|")
        for users in [int(u) for u in args.users.split(",")]:
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                server_before = cpu_seconds(server.pid)
                started = time.perf_counter()
                load = subprocess.Popen([sys.executable, "-m", "testcanon", "load", "--base-url", url, "--users",
                                         str(users), "--duration", str(args.duration), "--ramp", str(min(10.0, users / 100)),
                                         "--think", str(args.think),
                                         "--json", out.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                load_cpu = 0.0
                while load.poll() is None:
                    try:
                        load_cpu = cpu_seconds(load.pid)
                    except OSError:
                        pass
                    time.sleep(0.5)
                wall = time.perf_counter() - started
                text = Path(out.name).read_text()
                if not text:
                    print(f"| {users} | load run failed (see `canon load` output) | | | | | | | |")
                    continue
                data = json.loads(text)
                server_cpu = (cpu_seconds(server.pid) - server_before) / wall
                ttfe, ttc = data["time_to_first_event_ms"], data["time_to_completion_ms"]
                print(f"| {users} | {data['journeys']:,} | {data['failed']} | {len(data['isolation_breaches'])} | "
                      f"{ttfe['p50']} | {ttfe['p99']} | {ttc['p99']} | {100 * server_cpu:.0f}% | "
                      f"{100 * load_cpu / wall:.0f}% |")
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
