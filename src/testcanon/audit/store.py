"""Audits in the history database: save one, and find the previous values to compare with."""

from __future__ import annotations

import json
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
    """The newest audit's full snapshot (metrics and findings), as saved by `save`."""
    directory = root / ".testcanon" / "audits"
    snapshots = sorted(directory.glob("*.json"), key=lambda p: int(p.stem)) if directory.is_dir() else []
    if not snapshots:
        return None
    return json.loads(snapshots[-1].read_text())
