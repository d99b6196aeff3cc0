"""`canon perf`: tests whose recent durations regressed against their own history.

Robust statistics, so one noisy run does not raise an alarm: a test is flagged when the
median of its last `recent` runs exceeds its earlier median by more than `k` scaled MADs
(median absolute deviation x 1.4826, a robust standard deviation) and by more than a floor
in seconds and in ratio. The commit named is the first recent run whose duration crossed the
threshold: where the change appeared.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from testcanon.history import history_path, session


@dataclass(frozen=True)
class Regression:
    nodeid: str
    baseline: float
    recent: float
    threshold: float
    commit: str | None

    @property
    def ratio(self) -> float:
        return self.recent / self.baseline if self.baseline else float("inf")

    def to_json(self) -> dict[str, object]:
        return {"nodeid": self.nodeid, "baseline_s": self.baseline, "recent_s": self.recent,
                "ratio": round(self.ratio, 3), "threshold_s": self.threshold, "commit": self.commit}


def detect(series: list[tuple[float, str | None]], *, recent: int = 3, k: float = 3.0,
           floor: float = 0.05, min_ratio: float = 1.2,
           min_history: int = 5) -> tuple[float, float, float, str | None] | None:
    """For one test's durations (oldest first, with commits): (baseline, recent, threshold,
    commit) or None."""
    if len(series) < min_history + recent:
        return None
    past = [d for d, _ in series[:-recent]]
    latest = series[-recent:]
    baseline = statistics.median(past)
    mad = statistics.median(abs(d - baseline) for d in past) * 1.4826
    threshold = baseline + max(k * mad, floor, baseline * (min_ratio - 1))
    now = statistics.median(d for d, _ in latest)
    if now <= threshold:
        return None
    commit = next((c for d, c in latest if d > threshold), latest[0][1])
    return baseline, now, threshold, commit


def regressions(root: Path, **options: float) -> list[Regression]:
    if not history_path(root).exists():
        return []
    with session(root) as db:
        rows = db.execute(
            "SELECT r.id, r.commit_sha, t.nodeid, t.duration FROM test_results t JOIN runs r ON r.id = "
            "t.run_id WHERE r.kind = 'test' AND t.outcome = 'passed' ORDER BY r.id").fetchall()
    series: dict[str, list[tuple[float, str | None]]] = {}
    for row in rows:
        series.setdefault(row["nodeid"], []).append((row["duration"], row["commit_sha"]))
    found = []
    for nodeid, values in series.items():
        result = detect(values, **options)  # type: ignore[arg-type]
        if result:
            found.append(Regression(nodeid, *result))
    return sorted(found, key=lambda r: -r.ratio)
