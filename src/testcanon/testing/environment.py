"""`IsolatedEnvironment`: the one API for environment variables in tests.

Writes go to an *overlay* held in a `contextvars.ContextVar`, layered over the process
environment. asyncio tasks copy the context they start in, and each write replaces the overlay
mapping instead of mutating it, so two concurrent tasks (two simulated users) never see each
other's values; a new thread starts from the process environment. Reads consult the overlay
first, then `os.environ`.

`sync_to_os=True` also mirrors every write into `os.environ`, for code under test that reads
`os.environ` itself. `os.environ` is one dictionary per process, so mirrored values cannot be
task-isolated: use it where tests run one at a time per process (the default for pytest and
pytest-xdist workers), never for concurrent users in one process.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

from testcanon.testing.secrets import DEFAULT_SECRET_PATTERNS, SecretMasker


class _Missing:
    __slots__ = ()


_MISSING = _Missing()


class _Deleted:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<deleted>"


DELETED = _Deleted()
_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f", ""})
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")

Overlay = Mapping[str, "str | _Deleted"]
P = ParamSpec("P")
R = TypeVar("R")


class EnvironmentValueError(ValueError):
    """A variable exists but its value cannot be read as the requested type."""


@dataclass(frozen=True)
class EnvSnapshot:
    """The overlay (and, when mirroring, the process environment) at one moment."""

    overlay: Overlay
    os_environ: Mapping[str, str] | None


class IsolatedEnvironment:
    """Get, set and delete environment variables without leaking them across tests or tasks.

    >>> env = IsolatedEnvironment()
    >>> with env.overlay(API_URL="http://localhost:8000"):
    ...     env.get("API_URL")
    'http://localhost:8000'
    """

    def __init__(
        self,
        *,
        sync_to_os: bool = False,
        secret_patterns: tuple[str, ...] | list[str] = DEFAULT_SECRET_PATTERNS,
    ) -> None:
        self._overlay: ContextVar[Overlay] = ContextVar(f"testcanon_env_{id(self)}",
                                                        default=MappingProxyType({}))
        self.sync_to_os = sync_to_os
        self.masker = SecretMasker(secret_patterns)

    # -- reading ---------------------------------------------------------------------------
    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of `name`, or `default` when it is unset (like `os.environ.get`)."""
        value = self._overlay.get().get(name)
        if value is None:
            return os.environ.get(name, default)
        return default if value is DELETED else value  # type: ignore[return-value]

    def __getitem__(self, name: str) -> str:
        """The value of `name`; `KeyError` when unset (like `os.environ[name]`)."""
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def get_int(self, name: str, default: int | None = None) -> int | None:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            return int(raw.strip())
        except ValueError:
            raise EnvironmentValueError(
                f"{name}={self.masker.show(name, raw)} is not an integer") from None

    def get_bool(self, name: str, default: bool | None = None) -> bool | None:
        raw = self.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise EnvironmentValueError(f"{name}={self.masker.show(name, raw)} is not a boolean "
                                    f"(use one of {sorted(_TRUE | _FALSE - {''})})")

    def get_list(self, name: str, default: list[str] | None = None, *, sep: str = ",") -> list[str] | None:
        raw = self.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(sep) if item.strip()]

    def as_dict(self) -> dict[str, str]:
        """The merged view: process environment with this context's overlay applied."""
        merged = dict(os.environ)
        for name, value in self._overlay.get().items():
            if value is DELETED:
                merged.pop(name, None)
            else:
                merged[name] = value  # type: ignore[assignment]
        return merged

    # -- writing ---------------------------------------------------------------------------
    def set(self, name: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"environment values are strings; got {type(value).__name__} for {name}")
        self._write({name: value})

    def delete(self, name: str) -> None:
        """Unset `name` in this context (no error when it was not set)."""
        self._write({name: DELETED})

    def pop(self, name: str, default: str | _Missing = _MISSING, /) -> str:
        """Unset `name` and return its value; `default`, or `KeyError` without one, when it was
        unset (like `os.environ.pop`)."""
        value = self.get(name)
        if value is None:
            if isinstance(default, _Missing):
                raise KeyError(name)
            return default
        self.delete(name)
        return value

    def setdefault(self, name: str, default: str, /) -> str:
        """The value of `name`, first setting it to `default` when unset (like `os.environ.setdefault`)."""
        value = self.get(name)
        if value is None:
            self.set(name, default)
            return default
        return value

    def update(self, other: Mapping[str, str] | Iterable[tuple[str, str]] = (), /, **kwargs: str) -> None:
        """Set every pair of `other` and `kwargs` (like `os.environ.update`)."""
        pairs = dict(other, **kwargs)
        for name, value in pairs.items():
            if not isinstance(value, str):
                raise TypeError(f"environment values are strings; got {type(value).__name__} for {name}")
        self._write(pairs)

    def clear(self) -> None:
        """Unset every variable in this context (like `os.environ.clear`)."""
        self._write(dict.fromkeys(self.as_dict(), DELETED))

    def _write(self, changes: Mapping[str, str | _Deleted]) -> None:
        overlay = dict(self._overlay.get())
        overlay.update(changes)
        self._overlay.set(MappingProxyType(overlay))
        if self.sync_to_os:
            for name, value in changes.items():
                if value is DELETED:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value  # type: ignore[assignment]

    def load_dotenv(self, path: str | Path, *, override: bool = True) -> dict[str, str]:
        """Set the variables of a `.env` file (KEY=VALUE, `export`, quotes, # comments)."""
        loaded: dict[str, str] = {}
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            match = _DOTENV_LINE.match(line)
            if match is None:
                raise EnvironmentValueError(f"{path}:{number}: not a KEY=VALUE line")
            name, value = match.groups()
            if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
                value = value[1:-1]
                if line.split("=", 1)[1].strip()[:1] == '"':
                    value = value.encode().decode("unicode_escape")
            else:
                value = value.split(" #", 1)[0].rstrip()
            if override or name not in self:
                loaded[name] = value
        self._write(loaded)
        return loaded

    # -- scoping ---------------------------------------------------------------------------
    def snapshot(self) -> EnvSnapshot:
        return EnvSnapshot(self._overlay.get(),
                           dict(os.environ) if self.sync_to_os else None)

    def restore(self, snapshot: EnvSnapshot) -> None:
        """Put back exactly the state of `snapshot`, including variables that did not exist."""
        self._overlay.set(snapshot.overlay)
        if self.sync_to_os and snapshot.os_environ is not None:
            restore_os_environ(snapshot.os_environ)

    def overlay(self, values: Mapping[str, str | None] | Iterable[tuple[str, str | None]] = (), /, *,
                clear: bool = False, **kwargs: str | None) -> Overlaid:
        """Apply `values` (None deletes) for a `with` block, or around every call of the function
        it decorates (sync or async), then restore the exact prior state. `clear=True` first
        unsets everything, as `mock.patch.dict(os.environ, values, clear=True)` does."""
        return Overlaid(self, {**dict(values or ()), **kwargs}, clear=clear)

    def __enter__(self) -> IsolatedEnvironment:
        self._entered = getattr(self, "_entered", [])
        self._entered.append(self.snapshot())
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore(self._entered.pop())

    def changed(self) -> dict[str, str | None]:
        """What this context changed: name -> new value (None for deleted)."""
        return {k: None if v is DELETED else v for k, v in self._overlay.get().items()}  # type: ignore[misc]

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={'<deleted>' if value is DELETED else self.masker.show(name, value)}"  # type: ignore[arg-type]
            for name, value in sorted(self._overlay.get().items()))
        return f"IsolatedEnvironment(overrides={{{shown}}}, sync_to_os={self.sync_to_os})"


class Overlaid:
    """What `IsolatedEnvironment.overlay` returns: a context manager, and a decorator for sync and
    async functions (a `contextlib.contextmanager` one would restore an async test's environment
    before its coroutine ran)."""

    def __init__(self, env: IsolatedEnvironment, changes: Mapping[str, str | None], *, clear: bool) -> None:
        self.env = env
        self.changes = changes
        self.clear = clear
        self._saved: list[EnvSnapshot] = []

    def __enter__(self) -> IsolatedEnvironment:
        self._saved.append(self.env.snapshot())
        try:
            if self.clear:
                self.env.clear()
            self.env._write({k: DELETED if v is None else v for k, v in self.changes.items()})
        except BaseException:
            self.env.restore(self._saved.pop())
            raise
        return self.env

    def __exit__(self, *exc: object) -> None:
        self.env.restore(self._saved.pop())

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                with self:
                    return await function(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with self:
                return function(*args, **kwargs)

        return run


def restore_os_environ(saved: Mapping[str, str]) -> None:
    """Make `os.environ` equal `saved` exactly: extra variables removed, others reset."""
    for name in [n for n in os.environ if n not in saved]:
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value
