"""Resolve the interpreter that runs the project's tests.

Order, first match wins (each named in `TargetPython.source`):

1. `--python PATH` on the command line (`cli`);
2. `[tool.testcanon] python` in the project's pyproject.toml (`config`), relative to the root;
3. an active virtual environment, `$VIRTUAL_ENV` (`virtual_env`);
4. the project's own `.venv/` or `venv/` at its root (`project_venv`);
5. testcanon's own interpreter (`testcanon`), said as such so a user knows why imports fail.

A path that does not exist or is not a Python interpreter is a `UsageError` (exit 2).

What an interpreter has is asked of it once (`_probe`: a subprocess, a few hundred ms every
command would pay) and kept in the user's cache (`$XDG_CACHE_HOME/testcanon/targets.json`),
valid while the interpreter and every folder on its `sys.path` keep their modification times:
installing or removing a distribution changes its site-packages folder, and the next command
asks again.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from testcanon.errors import UsageError

SOURCES = ("cli", "config", "virtual_env", "project_venv", "testcanon")

# Nothing is imported but the stdlib: finding a module and reading its distribution's version
# costs milliseconds where importing pytest costs a few hundred (every command pays this).
_PROBE = (
    "import json, sys, importlib.util as u, importlib.metadata as m\n"
    "def version(module, dist):\n"
    "    try:\n"
    "        return m.version(dist) if u.find_spec(module) is not None else None\n"
    "    except Exception:\n"
    "        return 'unknown' if u.find_spec(module) is not None else None\n"
    "g = [n for n in ('xdist', 'pytest_timeout', 'pytest_cov') if u.find_spec(n) is not None]\n"
    "print(json.dumps({'version': list(sys.version_info[:3]), 'executable': sys.executable,"
    " 'pytest': version('pytest', 'pytest'), 'testcanon': version('testcanon', 'testcanon'),"
    " 'plugins': g, 'path': [p for p in sys.path if p]}))\n"
)
CACHE_VERSION = 1


@dataclass(frozen=True)
class TargetPython:
    """An interpreter that runs the project's tests, where it came from and what it has."""

    executable: str
    source: str
    version: tuple[int, int, int]
    pytest_version: str | None
    has_testcanon: bool
    plugins: tuple[str, ...] = ()  # of xdist, pytest_timeout, pytest_cov: those importable there

    @property
    def is_own(self) -> bool:
        """True when this is testcanon's own interpreter (nothing better was found)."""
        return self.source == "testcanon"

    def require_pytest(self) -> None:
        """Raise a one-line error naming the interpreter and the fix when pytest is missing."""
        if self.pytest_version is None:
            raise UsageError(
                f"{self.executable} ({self.source}) has no pytest: install it there "
                f"(`{self.executable} -m pip install pytest`) or choose another with --python"
            )

    def describe(self) -> str:
        version = ".".join(map(str, self.version))
        pytest = f"pytest {self.pytest_version}" if self.pytest_version else "no pytest"
        return f"{self.executable} (Python {version}, {pytest}; from {self.source})"

    def to_json(self) -> dict[str, object]:
        return {"executable": self.executable, "source": self.source,
                "version": ".".join(map(str, self.version)), "pytest": self.pytest_version,
                "has_testcanon": self.has_testcanon, "plugins": list(self.plugins)}

    def has(self, module: str) -> bool:
        return module in self.plugins

    def fallback_note(self) -> str:
        """One line saying that testcanon's own interpreter runs the tests, and why."""
        return (f"running the tests with testcanon's own interpreter {self.executable}: no --python, "
                "[tool.testcanon] python, $VIRTUAL_ENV or .venv/venv found")


def resolve_python(root: Path, *, cli: str | None = None, config: str = "",
                   environ: dict[str, str] | None = None) -> TargetPython:
    """The target interpreter for the project at `root` (see the module docstring)."""
    environ = os.environ if environ is None else environ
    for source, candidate in _candidates(root, cli=cli, config=config, environ=environ):
        explicit = source in ("cli", "config")
        executable = _interpreter_in(candidate)
        if executable is None:
            if explicit:
                raise UsageError(f"{candidate}: not a Python interpreter or virtual environment "
                                 f"(from {_SOURCE_NAMES[source]})")
            continue
        return _probe(str(executable), source)
    return _probe(sys.executable, "testcanon")


_SOURCE_NAMES = {"cli": "--python", "config": "[tool.testcanon] python",
                 "virtual_env": "$VIRTUAL_ENV", "project_venv": "the project's venv"}


def _candidates(root: Path, *, cli: str | None, config: str, environ: dict[str, str]):
    if cli:
        yield "cli", Path(cli).expanduser()
    if config:
        path = Path(config).expanduser()
        yield "config", path if path.is_absolute() else root / path
    if environ.get("VIRTUAL_ENV"):
        yield "virtual_env", Path(environ["VIRTUAL_ENV"])
    for name in (".venv", "venv"):
        if (root / name).is_dir():
            yield "project_venv", root / name


def _interpreter_in(path: Path) -> Path | None:
    """`path` itself when it is an executable file, else the python of the venv at `path`."""
    if path.is_dir():
        for relative in ("bin/python", "bin/python3", "Scripts/python.exe"):
            candidate = path / relative
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
        return None
    if path.is_file() and os.access(path, os.X_OK):
        return path
    return None


def locate_interpreter(root: Path, *, config: str = "", environ: dict[str, str] | None = None) -> Path | None:
    """The interpreter `resolve_python` would choose without `--python` (config, $VIRTUAL_ENV,
    the project's venv), found without running it; None when only testcanon's own is left."""
    environ = dict(os.environ) if environ is None else environ
    for _, candidate in _candidates(root, cli=None, config=config, environ=environ):
        executable = _interpreter_in(candidate)
        if executable is not None:
            return executable
    return None


@functools.lru_cache(maxsize=16)
def _probe(executable: str, source: str) -> TargetPython:
    """Ask the interpreter what it is (or the cache, while still valid); never imports project
    code (`-I`: isolated mode)."""
    info = _cached(executable)
    if info is None:
        try:
            done = subprocess.run([executable, "-I", "-c", _PROBE], capture_output=True, text=True,
                                  timeout=60, stdin=subprocess.DEVNULL)
            info = json.loads(done.stdout.strip().splitlines()[-1])
            tuple(int(part) for part in info["version"])
        except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError, TypeError):
            raise UsageError(f"{executable}: not a Python interpreter (from "
                             f"{_SOURCE_NAMES.get(source, source)})") from None
        _store(executable, info)
    return TargetPython(executable=executable, source=source,
                        version=tuple(int(part) for part in info["version"]),  # type: ignore[arg-type]
                        pytest_version=info.get("pytest"), has_testcanon=bool(info.get("testcanon")),
                        plugins=tuple(info.get("plugins") or ()))


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "testcanon" / "targets.json"


def _fingerprint(executable: str, path: list[str]) -> list[object] | None:
    """Modification times of the interpreter and of every folder on its `sys.path`."""
    try:
        stamps: list[object] = [os.stat(executable).st_mtime_ns]
    except OSError:
        return None
    for folder in path:
        try:
            stamps.append(os.stat(folder).st_mtime_ns)
        except OSError:
            stamps.append(None)
    return stamps


def _read_cache() -> dict[str, dict[str, object]]:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (not isinstance(data, dict) or data.get("version") != CACHE_VERSION
        or not isinstance(data.get("targets"), dict)):
        return {}
    return data["targets"]


def _cached(executable: str) -> dict[str, object] | None:
    entry = _read_cache().get(executable)
    if not isinstance(entry, dict) or not isinstance(entry.get("info"), dict):
        return None
    info = entry["info"]
    path = info.get("path")
    if not isinstance(path, list) or entry.get("stamp") != _fingerprint(executable, path):
        return None
    return info


def _store(executable: str, info: dict[str, object]) -> None:
    """Keep `info` for the next command; a cache that cannot be written costs only the probe."""
    path = info.get("path")
    stamp = _fingerprint(executable, path) if isinstance(path, list) else None
    if stamp is None:
        return
    targets = _read_cache()
    targets[executable] = {"stamp": stamp, "info": info}
    file = _cache_file()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        temporary = file.with_name(f".{file.name}.{os.getpid()}")
        temporary.write_text(json.dumps({"version": CACHE_VERSION, "targets": targets}), encoding="utf-8")
        os.replace(temporary, file)
    except OSError:
        pass
