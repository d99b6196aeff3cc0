"""The durations file shard plans come from: committed, changed only on request.

`.test_durations` at the project root, as pytest-split writes it: a JSON object of node id to
seconds, sorted. `canon run --shard K/N` reads it and nothing else, so every job of a CI
matrix (and every shard run one after another on one machine) plans from the same numbers;
the local history, which every run changes, never moves a plan. `canon shards N --update`
rewrites it from the last recorded run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from testcanon.errors import UsageError
from testcanon.history import history_path, session

DURATIONS_FILE = ".test_durations"


def durations_path(root: Path) -> Path:
    return root / DURATIONS_FILE


def load(root: Path) -> dict[str, float]:
    """Node id -> seconds; {} when the file does not exist (every file then weighs the same)."""
    path = durations_path(root)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError, TypeError) as error:
        raise UsageError(f"{path}: not a durations file ({error}); regenerate it with "
                         "`canon shards N --update`") from None


def per_file(durations: dict[str, float], prefix: str = "") -> dict[str, float]:
    from testcanon.runner.testset import to_project_path

    totals: dict[str, float] = {}
    for nodeid, seconds in durations.items():
        path = to_project_path(prefix, nodeid.split("::", 1)[0])
        totals[path] = totals.get(path, 0.0) + seconds
    return totals


def update_from_history(root: Path) -> tuple[int, Path]:
    """Rewrite the durations file from the last `canon run` (other tests keep their entry)."""
    if not history_path(root).exists():
        raise UsageError("no recorded run to take durations from: run `canon run` first")
    with session(root) as db:
        last = db.execute("SELECT id FROM runs WHERE kind = 'test' ORDER BY id DESC LIMIT 1").fetchone()
        if last is None:
            raise UsageError("no recorded run to take durations from: run `canon run` first")
        rows = db.execute("SELECT nodeid, duration FROM test_results WHERE run_id = ? AND outcome NOT IN "
                          "('collection_error')", (last[0],)).fetchall()
    durations = load(root)
    durations.update({row[0]: round(float(row[1]), 4) for row in rows})
    path = durations_path(root)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(dict(sorted(durations.items())), indent=4) + "\n", encoding="utf-8")
    tmp.replace(path)
    return len(rows), path


def digest(assignment: dict[str, int], count: int) -> str:
    """A short, stable name for a plan: which file goes to which of `count` shards."""
    text = json.dumps({"count": count, "files": dict(sorted(assignment.items()))}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
