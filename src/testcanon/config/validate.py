"""Turn a raw `[tool.testcanon]` mapping into typed, validated dataclasses.

Driven by the dataclasses' own type hints, so a new setting needs no validation code.
Errors name the dotted key, the file and, for a typo, the closest valid key.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from testcanon.errors import ConfigError

T = TypeVar("T")


def build(cls: type[T], raw: object, *, where: str, source: Path | None) -> T:
    """Build dataclass `cls` from `raw`, the table found at dotted key `where`."""
    if not isinstance(raw, dict):
        raise _error(source, where, f"must be a table, not {_type_name(raw)}")
    hints = {f.name: f.type for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    names = hints.keys()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in names:
            hint = difflib.get_close_matches(name, sorted(names), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise _error(source, _join(where, key), f"unknown key{suggestion}")
        values[name] = _coerce(hints[name], value, where=_join(where, key), source=source)
    return cls(**values)


def _coerce(hint: Any, value: object, *, where: str, source: Path | None) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where=where, source=source)  # type: ignore[arg-type]
    if origin in (typing.Union, types.UnionType):
        for option in args:
            if option is type(None) and value is None:
                return None
        non_none = [a for a in args if a is not type(None)]
        return _coerce(non_none[0], value, where=where, source=source)
    if origin is list:
        if not isinstance(value, list):
            raise _error(source, where, f"must be a list, not {_type_name(value)}")
        return [_coerce(args[0], item, where=f"{where}[{i}]", source=source)
                for i, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _error(source, where, f"must be a table, not {_type_name(value)}")
        return {k: _coerce(args[1], v, where=_join(where, k), source=source)
                for k, v in value.items()}
    if hint is object:
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _error(source, where, f"must be a number, not {_type_name(value)}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _error(source, where, f"must be an integer, not {_type_name(value)}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise _error(source, where, f"must be true or false, not {_type_name(value)}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise _error(source, where, f"must be a string, not {_type_name(value)}")
        return value
    raise TypeError(f"unsupported config type {hint!r} at {where}")  # a bug in schema.py


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _type_name(value: object) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number"}.get(type(value), type(value).__name__)


def _error(source: Path | None, where: str, message: str) -> ConfigError:
    origin = f"{source}: " if source else ""
    return ConfigError(f"{origin}[tool.testcanon] '{where}' {message}")
