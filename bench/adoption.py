"""The adoption walk on a real repository: `canon init`, commit, a fresh clone, then every `canon`
step of the workflow init wrote, run there as CI would run it.

    python bench/adoption.py REPO --venv VENV [--shards N] [--skip-tests] [--timeout S]

REPO is a checkout (never written: its tracked files, symlinks as symlinks and files a
.gitignore matches included, are copied into a temporary git repository first); VENV is the
project's own environment (its test requirements; testcanon need not be installed there: the
steps run testcanon's own `canon`, and the target is VENV, as `VIRTUAL_ENV` names it).
Printed: init's guesses with their evidence (what `canon init` says), then one row per
workflow step: the command, its exit code, seconds and its last line of output; then plain
pytest in the same clone; then, for each step that did not exit 0, the failing tests its
output names. `--skip-tests` leaves out the `canon run` steps (the suite itself).
Target: every step exits 0 in the fresh clone (a step that runs the suite exits as the
project's own pytest does on that checkout: both are shown).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

CANON = [sys.executable, "-m", "testcanon"]
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]


# pytest's `-rfE` summary (`FAILED path::test - ...`) and canon run's (`failed path::test`)
FAILED_LINE = re.compile(r"^(FAILED|ERROR|failed|error|collection_error) \S+\.py\b")
SHOWN_FAILURES = 25  # failing tests listed per step that did not exit 0


def run(command: list[str], cwd: Path, env: dict[str, str],
        timeout: float) -> tuple[int, float, str, list[str]]:
    """Exit code, seconds, last line of output, and the failing tests the output names."""
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return -1, time.perf_counter() - started, f"timed out after {timeout:g} s", []
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    failures = sorted({line[:200] for line in lines if FAILED_LINE.match(line)})
    return done.returncode, time.perf_counter() - started, (lines[-1] if lines else "")[:150], failures


def workflow_steps(workflow: Path, skip_tests: bool) -> list[tuple[str, str]]:
    """(job, command line) of every `canon ...` line of the workflow's run steps, in order; a
    line of the shard matrix once per shard, as the matrix runs it."""
    document = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    steps = []
    for name, job in document["jobs"].items():
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                line = line.strip()
                if line.startswith("canon ") and not (skip_tests and line.startswith("canon run")):
                    command = line.split(" >>", 1)[0]
                    shards = job.get("strategy", {}).get("matrix", {}).get("shard", [None])
                    steps += [(name, command.replace("${{ matrix.shard }}", str(shard)))
                              for shard in shards]
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--venv", type=Path, required=True)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    venv = args.venv.resolve()
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
           f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory(prefix="bench-adoption-") as tmp:
        origin = Path(tmp) / "origin"
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=args.repo, capture_output=True, check=True)
        tracked = [path for path in listed.stdout.decode().split("\0") if path]
        for relpath in tracked:
            source, copy = args.repo / relpath, origin / relpath
            copy.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():  # the repository's own symlinks (test data) stay symlinks
                copy.symlink_to(os.readlink(source))
            elif source.is_file():
                shutil.copy2(source, copy)
        subprocess.run([*GIT, "init", "-q", "-b", "main"], cwd=origin, check=True)
        # exactly the tracked files, the ones a .gitignore matches too (test data added with -f)
        subprocess.run([*GIT, "add", "-f", "--pathspec-from-file=-", "--pathspec-file-nul"], cwd=origin,
                       input="\0".join(path for path in tracked if (origin / path).is_symlink()
                                        or (origin / path).exists()).encode(), check=True)
        subprocess.run([*GIT, "commit", "-q", "-m", "before testcanon"], cwd=origin, check=True)
        started = time.perf_counter()
        init = subprocess.run([*CANON, "init", "--shards", str(args.shards)], cwd=origin, env=env,
                              capture_output=True, text=True, timeout=args.timeout, stdin=subprocess.DEVNULL)
        print(f"## canon init: exit {init.returncode} in {time.perf_counter() - started:.1f}s\n")
        print("```\n" + (init.stdout + init.stderr).strip()[:4000] + "\n```\n")
        if init.returncode != 0:
            return 1
        subprocess.run([*GIT, "add", "-A"], cwd=origin, check=True)
        subprocess.run([*GIT, "commit", "-q", "-m", "adopt testcanon"], cwd=origin, check=True)
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
        workflow = clone / ".github" / "workflows" / "testcanon.yml"
        print("| job | step | exit | seconds | last line |\n|---|---|---|---|---|")
        failed = 0
        named: dict[str, list[str]] = {}
        for job, line in workflow_steps(workflow, args.skip_tests):
            code, seconds, last, failures = run([*CANON, *line.split()[1:]], clone, env, args.timeout)
            failed += code != 0
            if code != 0 and failures:
                named[line] = failures
            print(f"| {job} | `{line}` | {code} | {seconds:.1f} | {last.replace('|', '/')} |", flush=True)
        if not args.skip_tests:
            peer = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE"]
            code, seconds, last, failures = run(peer, clone, env, args.timeout)
            if code != 0 and failures:
                named["python -m pytest -q -rfE"] = failures
            print(f"| (peer) | `python -m pytest -q` | {code} | {seconds:.1f} | {last.replace('|', '/')} |")
        print(f"\n{failed} step(s) of the workflow did not exit 0")
        for line, failures in named.items():  # what failed, so a red step can be read, not guessed
            print(f"\n`{line}`: {len(failures)} failing test(s) named in its output")
            for failure in failures[:SHOWN_FAILURES]:
                print(f"- {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
