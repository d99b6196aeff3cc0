"""Audits in the history database: save one, and find the previous values to compare with."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from testcanon.audit.audit import Audit
from testcanon.history import session
from testcanon.state import atomic_write_bytes, state_dir


def with_previous(audit: Audit, root: Path) -> Audit:
    """The audit with each metric's value from the newest stored audit filled in."""
    previous = latest_values(root)
    rows = [replace(row, previous=previous.get(row.spec.name)) for row in audit.rows]
    return replace(audit, rows=rows)


def latest_values(root: Path) -> dict[str, float | None]:
    with session(root) as db:
        run = db.execute("SELECT MAX(id) FROM runs WHERE kind = 'audit'").fetchone()[0]
        if run is None:
            return {}
        rows = db.execute("SELECT metric, value FROM audit_metrics WHERE run_id = ?", (run,))
        return {row["metric"]: row["value"] for row in rows}


def save(audit: Audit, root: Path, command: str = "canon audit") -> int:
    """Store the audit's metrics (and its findings beside the database); returns the run id."""
    with session(root) as db:
        cursor = db.execute(
            "INSERT INTO runs (kind, started, finished, commit_sha, branch, command, exit_code) "
            "VALUES ('audit', ?, ?, ?, ?, ?, 0)",
            (audit.created, time.time(), audit.commit, audit.branch, command),
        )
        run_id = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO audit_metrics (run_id, metric, value, target, definition_version) "
            "VALUES (?, ?, ?, ?, ?)",
            [(run_id, row.spec.name, row.current, row.spec.target, row.spec.version)
             for row in audit.rows],
        )
    snapshot = {**audit.to_json(), "run_id": run_id,
                "findings": [f.to_json() for f in audit.findings]}
    atomic_write_bytes(state_dir(root) / "audits" / f"{run_id}.json",
                       json.dumps(snapshot).encode())
    return run_id


def history(root: Path) -> list[dict[str, object]]:
    """Every stored audit, oldest first: `{"run_id", "created", "commit", "metrics": {...}}`."""
    with session(root) as db:
        runs = db.execute(
            "SELECT id, started, commit_sha FROM runs WHERE kind = 'audit' ORDER BY id"
        ).fetchall()
        values = db.execute(
            "SELECT run_id, metric, value FROM audit_metrics WHERE run_id IN "
            "(SELECT id FROM runs WHERE kind = 'audit')"
        ).fetchall()
    by_run: dict[int, dict[str, float | None]] = {}
    for row in values:
        by_run.setdefault(row["run_id"], {})[row["metric"]] = row["value"]
    return [{"run_id": r["id"], "created": r["started"], "commit": r["commit_sha"],
             "metrics": by_run.get(r["id"], {})} for r in runs]


def latest_snapshot(root: Path) -> dict[str, object] | None:
    """The newest readable audit snapshot (metrics and findings), as saved by `save`.

    Snapshots are state: one that is not JSON, not an object or not ours is set aside
    (renamed `*.unusable`, one warning line) and the next older one is used."""
    directory = root / ".testcanon" / "audits"
    if not directory.is_dir():
        return None
    snapshots = sorted((p for p in directory.glob("*.json") if p.stem.isdigit()), key=lambda p: int(p.stem))
    for path in reversed(snapshots):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if _is_snapshot(data):
                return data
            reason = "not an audit snapshot"
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            reason = str(exc) or type(exc).__name__
        _set_aside(path, reason)
    return None


_NUMBER = (int, float)
_OPTIONAL_NUMBER = (int, float, type(None))
# What the dashboard reads of a snapshot: each key and the types it may hold.
_SHAPE = {"created": _NUMBER, "metrics": list, "findings": list}
_METRIC = {"metric": str, "title": str, "current": _OPTIONAL_NUMBER, "target": _NUMBER,
           "previous": _OPTIONAL_NUMBER, "trend": str, "unit": str, "better": str}
_FINDING = {"code": str, "path": str, "line": int}


def _is_snapshot(data: object) -> bool:
    def fits(item: object, shape: dict[str, type | tuple[type, ...]]) -> bool:
        return isinstance(item, dict) and all(k in item and isinstance(item[k], t)
                                              and not isinstance(item[k], bool) for k, t in shape.items())

    return (isinstance(data, dict) and fits(data, _SHAPE)
            and all(fits(m, _METRIC) for m in data["metrics"])
            and all(fits(f, _FINDING) for f in data["findings"]))


def _set_aside(path: Path, reason: str) -> None:
    aside = path.with_name(path.name + ".unusable")
    try:
        os.replace(path, aside)
    except OSError:
        aside = path  # read-only: leave it, it is skipped the same way next time
    print(f"canon: warning: {path} is not a usable audit snapshot ({reason}); "
          f"{'moved to ' + aside.name if aside != path else 'skipped'}", file=sys.stderr)
