"""The reference agent-chat server: login, a WebSocket, and a scripted agent streaming events.

    python examples/agent_chat/server.py --port 8765

- `POST /auth/login` `{"username": "...", "password": "..."}` -> `{"token": <HS256 JWT>}`
  (any username; the password must be "secret" unless --open).
- `GET /ws?token=...` (or the token as the WebSocket subprotocol, an `Authorization: Bearer`
  header or a `token` cookie) opens the chat; `POST /sse` streams one run over SSE/HTTP instead. Each text
  message `{"text": "...", "run_id"?: "..."}` starts a deterministic agent run that streams
  agent_started, agent_thinking, tool_executing, tool_completed (a calculator for arithmetic,
  a lookup over local documents otherwise), agent_thinking, agent_completed, every frame
  carrying the user's id and the run's id. Each user's state is separate.
- Fault switches, to prove a validator catches them: `?fault=NAME` on the WebSocket URL or
  `"fault": "NAME"` in a message, NAME one of drop, duplicate, reorder, delay, wrong_user,
  disconnect (the server drops the connection mid-run), non_json (a frame that is not JSON).
- `--leak-every N`: every Nth event is also sent to another user, inside that user's next run and
  restamped with the recipient's user id (what a server that rewrites `*_user_id` fields does);
  `GET /stats` counts the leaks delivered, so a test can compare injected and detected.
- Tokens are signed with `AGENT_CHAT_SECRET` from the environment, or a secret generated per start.
  Work on a message (arithmetic, lookup) runs off the event loop, within limits: at most
  MAX_MESSAGE characters, numbers of at most MAX_DIGITS digits. Malformed requests get a 4xx.
"""

from __future__ import annotations

import argparse
import asyncio
import ast
import datetime as dt
import itertools
import json
import operator
import os
import re
import secrets
import time

import jwt
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

FAULTS = ("drop", "duplicate", "reorder", "delay", "wrong_user", "disconnect", "non_json")
MAX_MESSAGE = 16_384  # characters of a message the agent reads; the rest is ignored
MAX_DIGITS = 30  # digits of a number the calculator accepts
MAX_EXPRESSION = 200  # characters of an expression the calculator evaluates
INLINE_MESSAGE = 1_000  # messages up to this long are answered on the event loop
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
    """Arithmetic within limits: no huge numbers, no long expressions (a CPU bomb is refused)."""
    if len(expression) > MAX_EXPRESSION or any(len(n) > MAX_DIGITS for n in re.findall(r"\d+", expression)):
        raise ValueError("too large")

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

    text = text[:MAX_MESSAGE]
    events = [event("agent_started", message=text), event("agent_thinking", thought="reading the question")]
    match = _ARITHMETIC.search(text)
    if match and any(op in text for op in "+-*/"):
        call = {"tool_name": "calculator", "tool_call_id": f"{run_id}-1"}
        try:
            result: object = calculate(match.group(0).strip())
        except (ValueError, ZeroDivisionError, SyntaxError, OverflowError, RecursionError, MemoryError):
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
    if fault in ("disconnect", "non_json"):
        return events[:3] + [{"type": f"__{fault}__"}], 0.0
    return events, 0.0


class Connection:
    """One user's WebSocket, and the events leaked to it that its next run will carry."""

    def __init__(self, websocket: WebSocket, user_id: str) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.pending: list[dict] = []


def leak(app: Starlette, sender: Connection, event: dict) -> None:
    """Every Nth event: queue a copy for another user's connection, restamped as theirs."""
    state = app.state
    state.sent += 1
    if not state.leak_every or state.sent % state.leak_every:
        return
    others = [c for c in state.connections if c.user_id != sender.user_id]
    if others:
        state.turn = (state.turn + 1) % len(others)
        others[state.turn].pending.append({**event, "user_id": others[state.turn].user_id})


async def login(request: Request) -> JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "expected a JSON body"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "expected a JSON object"}, status_code=400)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not username.strip() or len(username) > 200:
        return JSONResponse({"error": "username must be a non-empty string"}, status_code=400)
    if not request.app.state.open and password != "secret":
        return JSONResponse({"error": "invalid credentials"}, status_code=401)
    token = jwt.encode({"sub": username.strip(), "exp": int(time.time()) + 3600}, request.app.state.secret,
                       algorithm="HS256")
    return JSONResponse({"token": token, "user_id": username.strip()})


def _token_user(websocket: WebSocket | Request) -> str | None:
    token = websocket.query_params.get("token")
    subprotocols = websocket.scope.get("subprotocols") or []
    if not token and subprotocols:
        token = subprotocols[0]
    if not token:
        authorization = websocket.headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or websocket.cookies.get("token")
    try:
        claims = jwt.decode(token or "", websocket.app.state.secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    user_id = claims.get("sub") if isinstance(claims, dict) else None
    return user_id if isinstance(user_id, str) and user_id else None


async def chat(websocket: WebSocket) -> None:
    user_id = _token_user(websocket)
    if user_id is None:
        await websocket.close(code=4401)
        return
    subprotocols = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol=subprotocols[0] if subprotocols and not websocket.query_params.get("token") else None)
    app = websocket.app
    connection = Connection(websocket, user_id)
    connection_fault = websocket.query_params.get("fault")
    app.state.connections.append(connection)
    try:
        while True:
            try:
                message = json.loads(await websocket.receive_text())
            except ValueError:
                await websocket.close(code=1007)  # invalid payload: a message must be JSON
                return
            if not isinstance(message, dict):
                await websocket.close(code=1007)
                return
            text = str(message.get("text", ""))[:MAX_MESSAGE]
            run_id = str(message.get("run_id") or f"run-{next(_runs)}")[:200]
            fault = message.get("fault") or connection_fault
            # a long message's work runs off the event loop (one user's stalls no one else); a short one
            # costs less than the hand-off to a thread
            if len(text) > INLINE_MESSAGE:
                events = await asyncio.to_thread(script, user_id, text, run_id)
            else:
                events = script(user_id, text, run_id)
            events, delay = inject(events, fault if fault in FAULTS else None)
            for number, event in enumerate(events):
                if delay and event["type"] == "tool_completed":
                    await asyncio.sleep(delay)
                if event["type"] == "__disconnect__":
                    await websocket.close(code=1011)
                    return
                if event["type"] == "__non_json__":
                    await websocket.send_text("<html>502 Bad Gateway</html>")
                    continue
                await websocket.send_text(json.dumps(event))
                leak(app, connection, event)
                if number == 0:  # events leaked to this user ride inside its run, after its start
                    while connection.pending:
                        await websocket.send_text(json.dumps(connection.pending.pop(0)))
                        app.state.leaked += 1
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        app.state.connections.remove(connection)


async def sse(request: Request) -> Response:
    """SSE/HTTP streaming: POST a message (token as for the WebSocket, or `Authorization: Bearer`),
    the response streams the run as `data:` lines, with a comment line as a keep-alive."""
    user_id = _token_user(request)
    if user_id is None:
        return JSONResponse({"error": "invalid token"}, status_code=401)
    try:
        message = await request.json()
    except ValueError:
        return JSONResponse({"error": "expected a JSON body"}, status_code=400)
    if not isinstance(message, dict):
        return JSONResponse({"error": "expected a JSON object"}, status_code=400)
    text = str(message.get("text", ""))[:MAX_MESSAGE]
    run_id = str(message.get("run_id") or f"run-{next(_runs)}")[:200]
    if len(text) > INLINE_MESSAGE:
        events = await asyncio.to_thread(script, user_id, text, run_id)
    else:
        events = script(user_id, text, run_id)
    fault = message.get("fault") or request.query_params.get("fault")
    events, delay = inject(events, fault if fault in FAULTS else None)

    async def body():
        yield ": connected\n\n"
        for event in events:
            if delay and event["type"] == "tool_completed":
                await asyncio.sleep(delay)
            if event["type"].startswith("__"):
                yield "data: <html>502 Bad Gateway</html>\n\n" if event["type"] == "__non_json__" else ""
                if event["type"] == "__disconnect__":
                    return
                continue
            yield f"data: {json.dumps(event)}\n\n"

    return StreamingResponse(body(), media_type="text/event-stream")


async def stats(request: Request) -> JSONResponse:
    state = request.app.state
    return JSONResponse({"sent": state.sent, "leaked": state.leaked, "connections": len(state.connections)})


def create_app(*, open_login: bool = False, secret: str | None = None, leak_every: int = 0) -> Starlette:
    app = Starlette(routes=[Route("/auth/login", login, methods=["POST"]),
                            Route("/health", lambda request: JSONResponse({"ok": True})),
                            Route("/stats", stats),
                            Route("/sse", sse, methods=["POST"]),
                            WebSocketRoute("/ws", chat)])
    app.state.open = open_login
    app.state.secret = secret or os.environ.get("AGENT_CHAT_SECRET") or secrets.token_hex(32)
    app.state.leak_every = leak_every
    app.state.connections = []
    app.state.sent = 0
    app.state.leaked = 0
    app.state.turn = 0
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="testcanon's reference agent-chat server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--open", action="store_true", help="accept any password")
    parser.add_argument("--leak-every", type=int, default=0, metavar="N",
                        help="fault injection: every Nth event also goes, restamped, to another user")
    args = parser.parse_args()
    uvicorn.run(create_app(open_login=args.open, leak_every=max(0, args.leak_every)), host=args.host,
                port=args.port, log_level="warning", ws_max_queue=1024, ws_max_size=1 << 20, backlog=4096)


if __name__ == "__main__":
    main()
