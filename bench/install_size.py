"""Install size and package count of testcanon per extra, each in a fresh venv.

`pip install <project>[EXTRA]` into a new venv per row (pip's own cache makes re-runs fast);
the table shows the packages installed besides pip and setuptools, and the size of
site-packages, next to pytest alone installed the same way (the floor every row pays).

    python bench/install_size.py [--project .] [--extras "" cli migrate report events all]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

BASE = {"pip", "setuptools", "wheel"}


def measure(spec: str, where: Path) -> tuple[int, int]:
    # a venv without pip, filled by this interpreter's pip (`--python`): faster, and nothing of
    # pip's own is counted
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    pip = [sys.executable, "-m", "pip", "--python", str(where / "bin" / "python"),
           "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "-q", spec], check=True)
    listed = json.loads(subprocess.run([*pip, "list", "--format", "json"], capture_output=True, text=True,
                                       check=True).stdout)
    packages = [p for p in listed if p["name"].lower() not in BASE]
    site = next(where.glob("lib/python*/site-packages"))
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file() and not f.is_symlink())
    base = sum(f.stat().st_size for name in BASE for d in site.glob(f"{name}*") for f in
               ([d] if d.is_file() else d.rglob("*")) if f.is_file())
    return len(packages), size - base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--extras", nargs="*",
                        default=["", "cli", "migrate", "coverage", "report", "events", "all"])
    args = parser.parse_args()
    rows = [("pytest", "pytest")] + [(f"testcanon[{e}]" if e else "testcanon",
                                      f"{args.project}[{e}]" if e else args.project) for e in args.extras]
    print(f"| {'install':<22} | packages | site-packages MB |")
    print(f"|{'-' * 24}|----------|------------------|")
    with tempfile.TemporaryDirectory(prefix="canon-size-") as scratch:
        for index, (name, spec) in enumerate(rows):
            count, size = measure(spec, Path(scratch) / str(index))
            print(f"| {name:<22} | {count:>8} | {size / 1e6:>16.1f} |", flush=True)


if __name__ == "__main__":
    main()
