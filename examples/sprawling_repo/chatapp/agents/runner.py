"""A deterministic agent: it thinks, calls the calculator when the message holds arithmetic,
looks things up otherwise, and answers. Every step is an event for the user's WebSocket."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from chatapp.tools import DocumentIndex, calculate

CRITICAL_EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed",
                   "agent_completed")
_ARITHMETIC = re.compile(r"[0-9][0-9+\-*/(). ]*[0-9)]")
_run_ids = itertools.count(1)

DOCUMENTS = {
    "pricing": "The pro plan costs 20 dollars per month and includes priority support.",
    "limits": "Each user may run four tool calls per message.",
}


class AgentRunner:
    def __init__(self, agent_name: str = "assistant", index: DocumentIndex | None = None) -> None:
        self.agent_name = agent_name
        self.index = index or DocumentIndex(DOCUMENTS)

    def run(self, user_id: str, message: str) -> Iterator[dict]:
        run_id = f"run-{next(_run_ids)}"

        def event(kind: str, **data: object) -> dict:
            return {"type": kind, "run_id": run_id, "user_id": user_id,
                    "agent_name": self.agent_name, **data}

        yield event("agent_started", message=message)
        yield event("agent_thinking", thought="reading the question")
        match = _ARITHMETIC.search(message)
        if match:
            call = {"tool_name": "calculator", "tool_call_id": f"{run_id}-1"}
            yield event("tool_executing", **call, args={"expression": match.group(0)})
            result = calculate(match.group(0))
            yield event("tool_completed", **call, result=result)
            answer = f"The answer is {result:g}."
        else:
            call = {"tool_name": "lookup", "tool_call_id": f"{run_id}-1"}
            yield event("tool_executing", **call, args={"query": message})
            hits = self.index.search(message)
            yield event("tool_completed", **call, result=hits)
            answer = self.index.get(hits[0]) if hits else "I could not find that."
        yield event("agent_thinking", thought="writing the answer")
        yield event("agent_completed", answer=answer)
