"""Required fields per event type, from a protocol's schema written as data.

A field spec is a short string: `str`, `num`, `int`, `uint`, `bool`, `obj`, `list`, `any`,
`message` (an AG-UI message: id, role and the content its role needs), `list[T]`, literals
`'a'|'b'`, alternatives joined by `|` (`str|null`), and a trailing `?` for an optional field.
Numbers exclude booleans, as JSON does (Python's bool is an int). `any` admits a missing field, as
zod's `z.any()` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from testcanon.errors import ConfigError

Check = Callable[[Any], bool]
FieldCheck = tuple[str, bool, Check, str]  # (field, optional, check, spec)

_ROLES_STR_CONTENT = {"developer", "system", "tool", "reasoning"}


def _message(value: Any) -> bool:
    if type(value) is not dict or type(value.get("id")) is not str:
        return False
    role, content = value.get("role"), value.get("content", None)
    if role in _ROLES_STR_CONTENT:
        return type(content) is str and (role != "tool" or type(value.get("toolCallId")) is str)
    if role == "assistant":
        return content is None and "content" not in value or type(content) is str
    if role == "user":
        return type(content) in (str, list)
    if role == "activity":
        return type(content) is dict and type(value.get("activityType")) is str
    return False


_BASE: dict[str, Check] = {
    "str": lambda v: type(v) is str,
    "num": lambda v: type(v) in (int, float),
    "int": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "uint": lambda v: (type(v) is int or (type(v) is float and v.is_integer())) and v >= 0,
    "bool": lambda v: type(v) is bool,
    "obj": lambda v: type(v) is dict,
    "list": lambda v: type(v) is list,
    "any": lambda v: True,
    "null": lambda v: v is None,
    "message": _message,
}


def _one(spec: str, where: str) -> Check:
    spec = spec.strip()
    if spec.startswith("'") and spec.endswith("'") and len(spec) >= 2:
        literal = spec[1:-1]
        return lambda v: v == literal and type(v) is str
    if spec.startswith("list[") and spec.endswith("]"):
        item = _one(spec[5:-1], where)
        return lambda v: type(v) is list and all(item(x) for x in v)
    if spec not in _BASE:
        raise ConfigError(f"{where}: unknown field type {spec!r} (known: "
                          f"{', '.join(sorted(_BASE))}, list[T], 'literal')")
    return _BASE[spec]


def compile_spec(spec: str, where: str) -> tuple[bool, Check]:
    alternatives = spec.rstrip("?").split("|")
    # zod: z.any() admits a missing key
    optional = spec.endswith("?") or "any" in (a.strip() for a in alternatives)
    parts = [_one(p, where) for p in alternatives]
    if len(parts) == 1:
        return optional, parts[0]
    return optional, lambda v: any(p(v) for p in parts)


def compile_fields(table: dict[str, Any], base: dict[str, Any], *,
                   where: str) -> dict[str, tuple[FieldCheck, ...]]:
    """{type: ((field, optional, check, spec), ...)} with the base fields every type carries."""
    compiled: dict[str, tuple[FieldCheck, ...]] = {}
    for kind, fields in table.items():
        checks = []
        for name, spec in {**base, **dict(fields)}.items():
            optional, check = compile_spec(str(spec), f"{where}.fields.{kind}.{name}")
            checks.append((str(name), optional, check, str(spec)))
        compiled[str(kind)] = tuple(checks)
    return compiled


_MISSING = object()


def field_errors(event: dict[str, Any], checks: tuple[FieldCheck, ...]) -> str | None:
    """The first field the event gets wrong, said in a few words; None when all are right."""
    for name, optional, check, spec in checks:
        value = event.get(name, _MISSING)
        if value is _MISSING:
            if not optional:
                return f"required field {name!r} is missing"
        elif not check(value):
            return f"field {name!r} is {type(value).__name__} {str(value)[:40]!r}, expected {spec}"
    return None
