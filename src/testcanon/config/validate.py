"""Turn a raw `[tool.testcanon]` mapping into typed, validated dataclasses.

Driven by the dataclasses' own type hints and field metadata (`schema.setting`: ranges,
choices, named checks), so a new setting needs no validation code. Errors name the dotted key,
the file and, for a typo, the closest valid key or value.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import shlex
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from testcanon.errors import ConfigError, UsageError

T = TypeVar("T")


def build(cls: type[T], raw: object, *, where: str, source: Path | None) -> T:
    """Build dataclass `cls` from `raw`, the table found at dotted key `where`."""
    if not isinstance(raw, dict):
        raise _error(source, where, f"must be a table, not {_type_name(raw)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = {name: f.type for name, f in fields.items()}
    names = hints.keys()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in names:
            hint = difflib.get_close_matches(name, sorted(names), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise _error(source, _join(where, key), f"unknown key{suggestion}")
        values[name] = _coerce(hints[name], value, where=_join(where, key), source=source)
        _limit(fields[name].metadata, values[name], where=_join(where, key), source=source)
    return cls(**values)


def _limit(meta: Mapping[str, Any], value: object, *, where: str, source: Path | None) -> None:
    """Apply a field's limits to its value, or to each value of a list or table."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            _limit(meta, item, where=f"{where}[{i}]", source=source)
        return
    if isinstance(value, dict):
        for k, item in value.items():
            _limit(meta, item, where=_join(where, k), source=source)
        return
    if not meta:
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        bounds = [("ge", ">=", value >= meta.get("ge", -math.inf)),
                  ("gt", ">", value > meta.get("gt", -math.inf)),
                  ("le", "<=", value <= meta.get("le", math.inf))]
        for key, sign, ok in bounds:
            if key in meta and not ok:
                raise _error(source, where, f"must be {sign} {meta[key]:g}, not {value!r}")
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        hint = difflib.get_close_matches(str(value), choices, n=1)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise _error(source, where, f"must be one of {', '.join(map(repr, choices))}, not {value!r}"
                     f"{suggestion}")
    check = meta.get("check")
    if check is not None:
        problem = CHECKS[check](value)
        if problem:
            raise _error(source, where, problem)


def check_rule_codes(codes: list[str], *, option: str) -> None:
    """`--select CANON10` and friends: every entry must be ALL, a code or a prefix of one."""
    for code in codes:
        problem = _rule_code(code)
        if problem:
            raise UsageError(f"{option} {code!r}: {problem}")


def _rule_code(value: object) -> str | None:
    code = str(value).strip().upper()
    if not code:
        return "is empty; name a rule code such as CANON101 or a prefix such as CANON1"
    known = _known_codes()
    if code == "ALL" or any(k.startswith(code) for k in known):
        return None
    hint = difflib.get_close_matches(code, known, n=1, cutoff=0.5)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"is not a rule code or a prefix of one{suggestion}; `canon rule --all` lists them"


def _known_codes() -> list[str]:
    from testcanon.rules.engine import rule_infos  # only when codes are given: it imports every rule

    return sorted(info.code for info in rule_infos())


_PLACEHOLDERS = {"host": "127.0.0.1", "port": 0, "name": "service"}


def _template(value: object) -> str | None:
    try:
        str(value).format(**_PLACEHOLDERS)
    except (KeyError, IndexError) as exc:
        return (f"has an unknown placeholder {{{exc.args[0]}}}; use {{host}}, {{port}} or {{name}}, "
                "and write {{ and }} for literal braces")
    except ValueError as exc:
        return f"is not a valid template ({exc}); write {{{{ and }}}} for literal braces"
    return None


def _command(value: object) -> str | None:
    problem = _template(value)
    if problem:
        return problem
    try:
        shlex.split(str(value).format(**_PLACEHOLDERS))
    except ValueError as exc:
        return f"cannot be split into words like a shell would ({exc})"
    return None


def _workers(value: object) -> str | None:
    text = str(value)
    if text in ("auto", "logical") or (text.isdigit() and int(text) >= 0):
        return None
    return f"must be a number of workers, 'auto' or 'logical', not {text!r}"


# Named checks a setting can ask for with `setting(check=NAME)`: each returns a problem or None.
CHECKS: dict[str, Callable[[object], str | None]] = {
    "rule_code": _rule_code,
    "template": _template,
    "command": _command,
    "workers": _workers,
}


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
        if not math.isfinite(value):
            raise _error(source, where, f"must be a finite number, not {value!r}")
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
    if not where.isprintable():  # a key with a newline or a control character: keep it one line
        where = where.encode("unicode_escape").decode("ascii")
    return ConfigError(f"{origin}[tool.testcanon] '{where}' {message}")
