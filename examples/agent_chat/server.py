"""The reference agent-chat server: login, a WebSocket, and a scripted agent streaming events.

    python examples/agent_chat/server.py --port 8765

- `POST /auth/login` `{"username": "...", "password": "..."}` -> `{"token": <HS256 JWT>}`
  (any username; the password must be "secret" unless --open).
- `GET /ws?token=...` (or the token as the WebSocket subprotocol) opens the chat. Each text
  message `{"text": "...", "run_id"?: "..."}` starts a deterministic agent run that streams
  agent_started, agent_thinking, tool_executing, tool_completed (a calculator for arithmetic,
  a lookup over local documents otherwise), agent_thinking, agent_completed, every frame
  carrying the user's id and the run's id. Each user's state is separate.
- Fault switches, to prove a validator catches them: `?fault=NAME` on the WebSocket URL or
  `"fault": "NAME"` in a message, NAME one of drop, duplicate, reorder, delay, wrong_user.
"""

from __future__ import annotations

import argparse
import asyncio
import ast
import datetime as dt
import itertools
import json
import operator
import re
import time

import jwt
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

SECRET = "agent-chat-reference-secret-for-local-tests-only"
FAULTS = ("drop", "duplicate", "reorder", "delay", "wrong_user")
DOCUMENTS = {
    "pricing": "The pro plan costs 20 dollars per month.",
    "limits": "Each user may run four tool calls per message.",
    "support": "Support answers within one business day.",
}
_ARITHMETIC = re.compile(r"\d[\d+\-*/(). ]*\d|\d")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.USub: operator.neg}
_runs = itertools.count(1)


def calculate(expression: str) -> float:
    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.operand))
        raise ValueError(expression)

    return ev(ast.parse(expression, mode="eval"))


def lookup(query: str) -> list[str]:
    words = set(re.findall(r"[a-z]+", query.lower()))
    return sorted(name for name, text in DOCUMENTS.items() if words & set(re.findall(r"[a-z]+", text.lower())))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def script(user_id: str, text: str, run_id: str) -> list[dict]:
    """The events of one run, in order."""
    def event(kind: str, **data: object) -> dict:
        return {"type": kind, "run_id": run_id, "user_id": user_id, "agent_name": "assistant",
                "timestamp": _now(), "data": data}

    events = [event("agent_started", message=text), event("agent_thinking", thought="reading the question")]
    match = _ARITHMETIC.search(text)
    if match and any(op in text for op in "+-*/"):
        call = {"tool_name": "calculator", "tool_call_id": f"{run_id}-1"}
        try:
            result: object = calculate(match.group(0).strip())
        except (ValueError, ZeroDivisionError, SyntaxError):
            result = None
        answer = f"The answer is {result:g}." if isinstance(result, (int, float)) else "I could not compute that."
    else:
        call = {"tool_name": "lookup", "tool_call_id": f"{run_id}-1"}
        result = lookup(text)
        answer = DOCUMENTS[result[0]] if result else "I could not find that."
    executing = event("tool_executing", args={"input": text})
    executing.update(call)
    completed = event("tool_completed", result=result)
    completed.update(call)
    events += [executing, completed, event("agent_thinking", thought="writing the answer"),
               event("agent_completed", answer=f"{answer} [{text}]")]
    return events


def inject(events: list[dict], fault: str | None) -> tuple[list[dict], float]:
    """The run's events with one fault applied, and a delay before the tool result."""
    if fault == "drop":
        return [e for e in events if e["type"] != "tool_completed"], 0.0
    if fault == "duplicate":
        index = next(i for i, e in enumerate(events) if e["type"] == "tool_completed")
        return events[: index + 1] + [dict(events[index])] + events[index + 1:], 0.0
    if fault == "reorder":
        i = next(i for i, e in enumerate(events) if e["type"] == "tool_executing")
        return events[:i] + [events[i + 1], events[i]] + events[i + 2:], 0.0
    if fault == "wrong_user":
        events = [dict(e) for e in events]
        events[3]["user_id"] = "someone-else"
        return events, 0.0
    if fault == "delay":
        return events, 1.5
    return events, 0.0


async def login(request: Request) -> JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "expected a JSON body"}, status_code=400)
    username = str(body.get("username", "")).strip()
    if not username or (not request.app.state.open and body.get("password") != "secret"):
        return JSONResponse({"error": "invalid credentials"}, status_code=401)
    token = jwt.encode({"sub": username, "exp": int(time.time()) + 3600}, SECRET, algorithm="HS256")
    return JSONResponse({"token": token, "user_id": username})


async def chat(websocket: WebSocket) -> None:
    token = websocket.query_params.get("token")
    subprotocols = websocket.scope.get("subprotocols") or []
    if not token and subprotocols:
        token = subprotocols[0]
    try:
        user_id = jwt.decode(token or "", SECRET, algorithms=["HS256"])["sub"]
    except jwt.PyJWTError:
        await websocket.close(code=4401)
        return
    await websocket.accept(subprotocol=subprotocols[0] if subprotocols and not websocket.query_params.get("token") else None)
    connection_fault = websocket.query_params.get("fault")
    try:
        while True:
            message = json.loads(await websocket.receive_text())
            text = str(message.get("text", ""))
            run_id = str(message.get("run_id") or f"run-{next(_runs)}")
            fault = message.get("fault") or connection_fault
            events, delay = inject(script(user_id, text, run_id), fault if fault in FAULTS else None)
            for event in events:
                if delay and event["type"] == "tool_completed":
                    await asyncio.sleep(delay)
                await websocket.send_text(json.dumps(event))
    except (WebSocketDisconnect, RuntimeError):
        return


def create_app(*, open_login: bool = False) -> Starlette:
    app = Starlette(routes=[Route("/auth/login", login, methods=["POST"]),
                            Route("/health", lambda request: JSONResponse({"ok": True})),
                            WebSocketRoute("/ws", chat)])
    app.state.open = open_login
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="testcanon's reference agent-chat server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--open", action="store_true", help="accept any password")
    args = parser.parse_args()
    uvicorn.run(create_app(open_login=args.open), host=args.host, port=args.port, log_level="warning",
                ws_max_queue=1024, backlog=4096)


if __name__ == "__main__":
    main()
