"""Find the repository a path belongs to and load its `[tool.testcanon]` settings."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from testcanon.config.schema import Config
from testcanon.config.validate import build
from testcanon.errors import ConfigError


@dataclass(frozen=True)
class Project:
    """Where a command works: the project root, its config and where that came from."""

    root: Path
    config: Config
    config_file: Path | None

    @property
    def state_dir(self) -> Path:
        """`.testcanon/` at the root: caches, journal, history, baseline."""
        return self.root / ".testcanon"


def start_directory(start: Path) -> Path:
    """Where the search for a project begins: the directory the path is named in.

    A symlink given by name is not followed: `tests/link.py -> /etc/passwd` belongs to the
    project around `tests/`, never to `/etc` (discovery then refuses it as outside the
    project). Directories above are resolved as usual."""
    absolute = Path(os.path.abspath(start))
    if absolute.is_symlink() or not absolute.is_dir():
        absolute = absolute.parent
    return absolute.resolve()


def find_pyproject(start: Path) -> Path | None:
    """The nearest `pyproject.toml` at or above `start`."""
    here = start_directory(start)
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def find_root(start: Path) -> Path:
    """The project root: the directory of the nearest pyproject.toml, else the git top, else start."""
    pyproject = find_pyproject(start)
    if pyproject is not None:
        return pyproject.parent
    here = start_directory(start)
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


def load_config(pyproject: Path) -> Config:
    """Read and validate `[tool.testcanon]` from one pyproject.toml (defaults when absent)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{pyproject}: invalid TOML: nested too deeply to read") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc}") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):  # `tool = 5`: not ours to judge, but there is no table to read
        raise ConfigError(f"{pyproject}: 'tool' must be a table, not {type(tool).__name__}")
    try:
        return build(Config, tool.get("testcanon", {}), where="", source=pyproject)
    except RecursionError:
        raise ConfigError(f"{pyproject}: [tool.testcanon] is nested too deeply") from None


def load_project(start: Path | str = ".") -> Project:
    """The project that `start` belongs to, with its validated configuration."""
    start_path = Path(start)
    if not start_path.exists():
        raise ConfigError(f"{start_path}: no such file or directory")
    pyproject = find_pyproject(start_path)
    root = find_root(start_path)
    config = load_config(pyproject) if pyproject is not None else Config()
    return Project(root=root, config=config, config_file=pyproject)
