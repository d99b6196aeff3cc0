"""`make demo`: the main job on the embedded example, in a scratch copy (never the example itself).

audit -> fix -> fix --resurrect -> migrate -> audit again, then the before/after success-metrics table and the
dashboard. Every step is a real `canon` command in a subprocess, as a user would run it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sprawling_repo"
SCRATCH = ROOT / "out" / "demo" / "sprawling_repo"
DASHBOARD = ROOT / "out" / "demo" / "dashboard"


def canon(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    print(f"\n$ canon {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, "-m", "testcanon", *args], cwd=SCRATCH, text=True,
                          capture_output=capture)


def audit() -> dict[str, dict]:
    result = canon("audit", "--format", "json", capture=True)
    if result.returncode not in (0, 1):
        sys.exit(f"canon audit failed: {result.stderr}")
    return {m["metric"]: m for m in json.loads(result.stdout)["metrics"]}


def fmt(value: object, unit: str) -> str:
    if value is None:
        return "—"
    number = float(value)  # type: ignore[arg-type]
    return (f"{number:.1f}" if unit == "%" else f"{int(number)}") + unit


def main() -> int:
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    shutil.copytree(EXAMPLE, SCRATCH, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    print(f"scratch copy of the example: {SCRATCH.relative_to(ROOT)}")
    canon("scan", "--no-frames")
    before = audit()
    canon("fix")
    canon("fix", "--resurrect")
    canon("migrate")
    canon("run", "--no-fail-fast", "--coverage")
    after = audit()
    canon("audit")
    width = max(len(m["title"]) for m in after.values())
    print(f"\n{'metric':<{width}}  {'before':>8}  {'after':>8}  {'target':>8}")
    for name, metric in after.items():
        old = before.get(name, {}).get("current")
        print(f"{metric['title']:<{width}}  {fmt(old, metric['unit']):>8}  "
              f"{fmt(metric['current'], metric['unit']):>8}  {fmt(metric['target'], metric['unit']):>8}")
    report = canon("report", "--html", str(DASHBOARD), capture=True)
    print(report.stdout.strip() or report.stderr.strip())
    print(f"\nopen {DASHBOARD / 'index.html'} in a browser; `canon undo` in {SCRATCH.relative_to(ROOT)} "
          "reverts the migrate and fix runs one at a time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
