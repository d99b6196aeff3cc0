"""Per-test metrics and timings, handed to the runner.

Under pytest the plugin points `CURRENT` at the running item's `user_properties` (so metrics
land in JUnit XML) and writes them to `TESTCANON_RESULTS_FILE` when set; under plain unittest
they stay on the test instance (`test.canon_metrics`).
"""

from __future__ import annotations

from contextvars import ContextVar

# The metric sink of the test that is running now (a pytest item's user_properties list).
CURRENT_SINK: ContextVar[list[tuple[str, object]] | None] = ContextVar("testcanon_metric_sink",
                                                                       default=None)


def record(metrics: dict[str, float], name: str, value: float) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"metric {name!r} must be a number, got {type(value).__name__}")
    metrics[name] = float(value)
    sink = CURRENT_SINK.get()
    if sink is not None:
        sink.append((f"canon_metric:{name}", float(value)))
