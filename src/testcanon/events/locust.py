"""A Locust user that runs the chat journey and validates every stream.

    locust -f -  # see docs/events.md:  from testcanon.events.locust import AgentChatUser

`locust --master` / `--worker` spread it over many machines; set the target with `--host`.
Each task logs in, connects a real WebSocket (blocking sockets, which gevent makes cooperative), sends a message, collects the run, validates it
against the agent-events profile and reports to Locust as request type "journey" (failure =
a violation, a cross-talk event or a timeout).
"""

from __future__ import annotations

import time

from locust import User, between, task

from testcanon.events.journey import run_journey_sync


class AgentChatUser(User):
    abstract = True
    wait_time = between(0.1, 0.5)
    message = "what is 6 * 7?"

    def on_start(self) -> None:
        self.username = f"locust-{id(self)}"

    @task
    def journey(self) -> None:
        started = time.perf_counter()
        result = run_journey_sync(self.host, self.username, message=self.message)
        elapsed_ms = (time.perf_counter() - started) * 1000
        failure = None if result.ok else AssertionError(
            "; ".join([result.error, *map(str, result.violations), *result.cross_talk]).strip("; "))
        self.environment.events.request.fire(request_type="journey", name="login->answer",
                                             response_time=elapsed_ms, response_length=result.events,
                                             exception=failure, context={})


class DefaultAgentChatUser(AgentChatUser):
    """Concrete user for `locust -f testcanon/events/locust.py`."""

    abstract = False
