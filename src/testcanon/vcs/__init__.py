"""Thin helpers over the real `git` command: the commit a result belongs to, and friends.

Every git call testcanon makes goes through `git_command` and `git_env`: a repository is
untrusted input, and its local config can make git run the repository's own programs (a
`core.fsmonitor` hook on every status or ls-files, hooks, an external diff, a pager) or take
locks and rewrite the index during commands that only read. Those are switched off here, once.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

# `-c` settings that win over the repository's own config for this one call.
HARDENING: tuple[str, ...] = (
    "-c", "core.fsmonitor=false",     # no fsmonitor hook (a program named by the repository)
    "-c", "core.hooksPath=/dev/null",  # no hooks, whichever command would fire them
    "-c", "core.pager=cat",
    "-c", "diff.external=",            # no external diff program
    "-c", "core.askPass=",
    "-c", "credential.helper=",
    "-c", "protocol.allow=never",      # testcanon never talks to a remote
)

# Environment for every git call: no optional locks (a reading command must not refresh and
# rewrite the user's index), no prompts, no pager, no external diff from the caller's env.
_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
_DROPPED = ("GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_SSH", "GIT_SSH_COMMAND")


def git_command(*args: str) -> list[str]:
    """The argv of a hardened `git ARGS...`."""
    return ["git", *HARDENING, *args]


def git_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's) with git's hardening applied."""
    merged = {k: v for k, v in (os.environ if env is None else env).items() if k not in _DROPPED}
    merged.update(_ENV)
    return merged


def git(root: Path, *args: str, timeout: float = 60,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run git in `root`; never raises for git's own failures (check `returncode`)."""
    try:
        return subprocess.run(git_command(*args), cwd=root, capture_output=True, text=True,
                              timeout=timeout, errors="surrogateescape", env=git_env(env))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(["git", *args], 128, "", str(exc))


def git_bytes(root: Path | None, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """`git` with its output as bytes (file contents); never raises for git's own failures."""
    try:
        return subprocess.run(git_command(*args), cwd=root, capture_output=True, timeout=timeout,
                              env=git_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(["git", *args], 128, b"", str(exc).encode())


def show(root: Path, commit: str, path: str) -> bytes | None:
    """The content of `path` at `commit`; None when that commit has no such file."""
    result = git_bytes(root, "show", f"{commit}:{path}")
    return result.stdout if result.returncode == 0 else None


def read_blobs(root: Path, items: list[tuple[str, str]], *, top_relative: bool = False) -> list[bytes | None]:
    """The file at each (commit, path), read by one `git cat-file --batch` (one process, not one per
    version: on the corpus that was most of the time per file). A path is relative to `root`
    (which may be a folder of the work tree), or to the work tree's top as `show` reads it."""
    if not items:
        return []
    prefix = "" if top_relative else "./"
    request = "".join(f"{commit}:{prefix}{path}\n" for commit, path in items)
    request_bytes = request.encode("utf-8", "surrogateescape")
    try:
        done = subprocess.run(git_command("cat-file", "--batch"), cwd=root, input=request_bytes,
                              capture_output=True, timeout=120, env=git_env())
    except (OSError, subprocess.TimeoutExpired):
        return [show(root, commit, path) for commit, path in items]
    out, offset, blobs = done.stdout, 0, []
    for _ in items:
        end = out.find(b"\n", offset)
        if end < 0:
            blobs.append(None)
            continue
        header = out[offset:end].split()
        offset = end + 1
        if len(header) != 3 or header[1] != b"blob":
            blobs.append(None)
            continue
        size = int(header[2])
        blobs.append(out[offset:offset + size])
        offset += size + 1
    return blobs


def merge_file(current: bytes, base: bytes, other: bytes) -> tuple[bytes, bool]:
    """`git merge-file -p current base other`, outside any repository: (result, clean)."""
    with tempfile.TemporaryDirectory(prefix="canon-merge-") as tmp:
        paths = []
        for name, data in (("current", current), ("base", base), ("other", other)):
            path = os.path.join(tmp, name)
            with open(path, "wb") as handle:
                handle.write(data)
            paths.append(path)
        result = git_bytes(None, "merge-file", "-p", "-q", *paths)
    return result.stdout, result.returncode == 0


def is_work_tree(root: Path) -> bool:
    result = git(root, "rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


def head_commit(root: Path) -> str | None:
    result = git(root, "rev-parse", "HEAD")
    return result.stdout.strip() if result.returncode == 0 else None


def current_branch(root: Path) -> str | None:
    result = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    return result.stdout.strip() if result.returncode == 0 else None
