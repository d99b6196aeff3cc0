"""Screenshots of the dashboard for docs/dashboard.md, taken in headless Chromium.

In a scratch git copy of the example: `canon audit`, `canon run` (so the latest run, with its
collection errors and their messages, is on the page), a second audit (two points on every
trend), `canon report --html`; then the index and one rule page are photographed with
playwright. Usage: `python scripts/screenshots.py [OUT_DIR]` (default docs/images).
Needs `playwright` (the test extra) and a Chromium (`make browser`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sprawling_repo"
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "demo", "GIT_AUTHOR_EMAIL": "demo@example.com",
           "GIT_COMMITTER_NAME": "demo", "GIT_COMMITTER_EMAIL": "demo@example.com"}
# file -> (page, element to photograph; None: the first screenful)
SHOTS = {"dashboard-index.png": ("index.html", None), "dashboard-latest-run.png": ("index.html", "#problems"),
         "dashboard-rule.png": ("rules/CANON301.html", None)}


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        sys.exit("no chromium on this machine (`make browser` installs Debian's package)")
    return found


def build_dashboard(scratch: Path) -> Path:
    repo = Path(shutil.copytree(EXAMPLE, scratch / "sprawling_repo",
                                ignore=shutil.ignore_patterns(".testcanon")))
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "example"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=GIT_ENV, capture_output=True)
    for args in (["audit"], ["run", "--no-fail-fast", "--serial"], ["audit"],
                 ["report", "--html", str(scratch / "dashboard")]):
        done = subprocess.run([sys.executable, "-m", "testcanon", *args], cwd=repo, capture_output=True,
                              text=True)
        if args[0] in ("audit", "report") and done.returncode not in (0, 1):
            sys.exit(f"canon {' '.join(args)} failed: {done.stderr.strip()}")
    return scratch / "dashboard"


def photograph(dashboard: Path, out: Path, executable: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        for name, (relative, selector) in SHOTS.items():
            page.goto((dashboard / relative).as_uri())
            if relative == "index.html":
                page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0")
            if selector:
                page.locator(selector).screenshot(path=str(out / name))
            else:
                page.screenshot(path=str(out / name))
            written.append(out / name)
        browser.close()
    return written


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"
    executable = chromium()
    with tempfile.TemporaryDirectory(prefix="canon-shots-") as scratch:
        for path in photograph(build_dashboard(Path(scratch)), out, executable):
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
