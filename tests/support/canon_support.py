"""Shared helpers for the test suite (on pytest's pythonpath): run `canon`, write trees."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "examples" / "sprawling_repo"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create `files` (relative path -> text or bytes) under `root`."""
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_canon(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "testcanon", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def expected_section(name: str) -> str:
    """The text of `## name` in the example's EXPECTED.md."""
    text = (EXAMPLE / "EXPECTED.md").read_text(encoding="utf-8")
    parts = text.split("\n## ")
    for part in parts[1:]:
        title, _, body = part.partition("\n")
        if title.strip() == name:
            return body
    raise KeyError(f"EXPECTED.md has no section '## {name}'")


def expected_table(name: str, index: int = 0) -> list[dict[str, str]]:
    """Rows of the `index`-th markdown table of an EXPECTED.md section, as dicts."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in expected_section(name).splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    rows = tables[index]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    return [dict(zip(header, (cell.strip() for cell in row.strip("|").split("|")), strict=True))
            for row in rows[2:]]


def expected_value(name: str, key: str) -> int:
    """`key: N` lines of an EXPECTED.md section."""
    for line in expected_section(name).splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split(":", 1)[1])
    raise KeyError(f"EXPECTED.md ## {name} has no '{key}:' line")


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_line(output: str) -> str:
    """A CLI error as one line: rich's error box (its borders, its wrapping at the terminal's
    width) taken away, so a test can look for a sentence whatever width it was drawn at."""
    return " ".join(output.translate(str.maketrans("│╭╮╰╯─", "      ")).split())


def gone(pid: int, within: float = 10) -> bool:
    """Whether process `pid` is gone, waiting up to `within` seconds for it to go."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def start_canon_until(written: Path, *args: str, cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`canon ARGS` started in the background, once the test file it runs has written its pid to
    `written`: the process, and that pid (the pytest canon started)."""
    process = subprocess.Popen([sys.executable, "-m", "testcanon", *args], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (written.exists() and written.read_text()) and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert written.exists(), f"pytest never reached the slow test file under `canon {' '.join(args)}`"
    return process, int(written.read_text())
