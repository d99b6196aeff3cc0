"""`make demo`: the main job on the embedded example, in a scratch copy (the example is never modified)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sprawling_repo"
SCRATCH = ROOT / "out" / "demo" / "sprawling_repo"


def canon(*args: str) -> int:
    command = [sys.executable, "-m", "testcanon", *args]
    print(f"\n$ canon {' '.join(args)}", flush=True)
    return subprocess.run(command, cwd=SCRATCH).returncode


def main() -> int:
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    shutil.copytree(EXAMPLE, SCRATCH, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    print(f"scratch copy of the example: {SCRATCH.relative_to(ROOT)}")
    canon("scan", "--no-frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
