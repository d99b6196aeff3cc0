"""The validator's hot path, generated per profile.

`Validator.feed` is the inner loop of `canon load` and of recorded-stream validation. Most events of
a healthy stream are routine: a known event of the one active run, its user and pairing key
present. For those, this module writes a function with one branch per event type, the profile's
field names, type names and rules inlined as constants (as `dataclasses` writes `__init__`), so an
event costs a few dict lookups instead of a walk over the profile. Anything else (a first event, a
missing key, a start inside a run, a terminal with something open, fields, timing, interleaved runs)
goes to the general path, decided before anything is changed. Both paths make the same checks with
the same messages (`tests/events/test_validator_rules.py` runs every case through both).
"""

from __future__ import annotations

import functools
import keyword
import re
from typing import Any

NONE: tuple[Any, ...] = ()
_PLAIN = re.compile(r"[A-Za-z0-9_.:\-]+")


def compile_fast(validator: Any, *, structs: bool = False) -> Any:
    """A `feed` for the validator's profile, or None when the profile needs the general path throughout.

    `structs=True`: a feed for events decoded as msgspec Structs holding only the profile's fields
    (`event_struct`), read by attribute; the general path gets them as dicts."""
    key = (validator.profile, structs)
    try:
        code = _CODE[key]
    except KeyError:
        if len(_CODE) > 256:
            _CODE.clear()
        code = _CODE[key] = _code(validator, structs)
    except TypeError:  # an unhashable profile (built by hand with lists): generated each time
        code = _code(validator, structs)
    if code is None:
        return None
    # the validator's index and expected user live in this namespace (Validator._state): globals here
    namespace = validator._state
    namespace.update({"run": validator._run, "general": validator._feed_general, "add": validator._add,
                      "todict": todict,
                      "violations": validator.violations, "NONE": NONE, "seen": validator.types_seen,
                      "types": validator._run.types})
    for i in range(len(validator._pairings)):
        namespace[f"open{i}"] = validator._run.open[i]
        namespace[f"named{i}"] = validator._run.named[i]
    local: dict[str, Any] = {}
    exec(code, namespace, local)  # noqa: S102 - our own generated source, every literal written with repr()
    return local["feed"]


_CODE: dict[Any, Any] = {}  # profile -> compiled fast path; cleared past 256 profiles


def struct_fields(profile: Any) -> tuple[str, ...] | None:
    """The fields a profile reads, when a Struct can hold them (plain identifiers, no wire format)."""
    if profile.fields or profile.protocol is not None or profile.run_key is not None:
        return None
    names = {profile.type_field, profile.user_field, profile.run_field, profile.thread_field,
             profile.timestamp_field}
    names |= {p.key for p in profile.pairings} | {p.fallback_key for p in profile.pairings}
    names.discard(None)
    if not all(str(n).isidentifier() and not keyword.iskeyword(str(n)) for n in names):
        return None
    return tuple(sorted(str(n) for n in names))


@functools.cache
def event_struct(fields: tuple[str, ...]) -> Any:
    """A msgspec Struct with these fields (each defaulting to None): decoding into it skips the rest."""
    import msgspec

    return msgspec.defstruct("Event", [(name, Any, None) for name in fields], gc=False)


def todict(event: Any) -> dict[str, Any]:
    """A Struct event as the general path and the report see it: its fields that are present."""
    return {name: value for name in event.__struct_fields__ if (value := getattr(event, name)) is not None}


def _code(validator: Any, structs: bool = False) -> Any:
    """The compiled source of the fast path for the validator's profile (None: no fast path)."""
    profile = validator.profile
    if structs and struct_fields(profile) is None:
        return None
    if validator._run_key is not None or validator._timing or validator._fields:
        return None
    identity_on = profile.identity_on
    if identity_on is not None and identity_on:
        return None
    check_identity = identity_on is None
    names = [profile.type_field, profile.user_field, profile.run_field, profile.thread_field, profile.start,
             *profile.terminal, *(p.key for p in profile.pairings), *(p.name for p in profile.pairings),
             *(p.start for p in profile.pairings), *(p.end for p in profile.pairings),
             *(m for p in profile.pairings for m in p.middle),
             *(x for pair in profile.required_before for x in pair)]
    if not all(n is None or _PLAIN.fullmatch(str(n)) for n in names):
        return None  # a name that is not a plain word would need escaping inside f-strings: not worth it
    terminal, errors, start = set(profile.terminal), set(profile.errors), profile.start
    kinds = set(validator._roles) | set(validator._before) | {start, *terminal}
    if profile.known is not None:
        kinds = (kinds | set(profile.known)) & set(profile.known)
    lines = ["def feed(event, received_at=None):", "    global index",
             f"    kind = event.get({profile.type_field!r})"]
    if profile.user_field:  # the same for every type: once, before the branches
        lines += [f"    user = event.get({profile.user_field!r})",
                  "    if user != expected_user and user is not None:",
                  "        return general(event, received_at)"]
    # the branches are tested in order: the types a stream carries most (paired, then ordered ones) first
    paired = {k for p in profile.pairings for k in (p.start, p.end, *p.middle)}
    ordered = {k for pair in profile.required_before for k in pair}

    def rank(kind: str) -> tuple[int, str]:
        return (0 if kind in paired else 1 if kind in ordered else 2 if kind in terminal else 3, kind)

    active: list[str] = []
    starting: list[str] = []
    for kind in sorted((k for k in kinds - errors if isinstance(k, str)), key=rank):
        roles = validator._roles.get(kind, ())
        if len(roles) > 1 or any(validator._pairings[i].key is None for i, _ in roles):
            continue  # several or one-at-a-time pairings: the general path
        mode = "start" if kind == start else "terminal" if kind in terminal else "middle"
        if mode != "middle" and roles:
            continue
        body = _branch(validator, kind, mode, roles[0] if roles else None, check_identity)
        if mode == "start":
            starting += [f"    elif kind == {kind!r} and run.first:"] + ["        " + line for line in body]
        else:
            active += [f"        {'if' if not active else 'elif'} kind == {kind!r}:"]
            active += ["            " + line for line in body]
    lines += ["    if run.active:", *(active or ["        pass"]), *starting]
    lines.append("    return general(event, received_at)")
    source = "\n".join(lines)
    if structs:  # the same code reading attributes; dicts for the general path and the report
        source = re.sub(r"event\.get\('([A-Za-z_][A-Za-z0-9_]*)'\)", r"event.\1", source)
        source = source.replace("general(event, received_at)", "general(todict(event), received_at)")
        source = source.replace(", event)", ", todict(event))")
    return compile(source, f"<testcanon fast path for profile {profile.name!r}>", "exec")


def _branch(validator: Any, kind: str, mode: str, role: tuple[int, int] | None,
            check_identity: bool) -> list[str]:
    profile = validator.profile
    general = "return general(event, received_at)"
    out: list[str] = []
    run_field = profile.run_field if check_identity else None
    thread_field = profile.thread_field if check_identity else None
    if mode == "start":  # reached only when no run is active and the stream has begun
        out += ["index += 1",
                "run.begin(seen)",
                f"run.run_id = event.get({profile.run_field!r})" if profile.run_field
                else "run.run_id = None",
                f"run.thread_id = event.get({profile.thread_field!r})" if profile.thread_field
                else "run.thread_id = None",
                f"types.add({kind!r})",
                "return NONE"]
        return out
    pairing = validator._pairings[role[0]] if role is not None else None
    if pairing is not None:
        out += [f"key = event.get({pairing.key!r})", "if key is None:", f"    {general}"]
    if mode == "terminal":
        for i in validator._closed_at.get(kind, ()):
            out += [f"if any(open{i}.values()) or named{i}:", f"    {general}"]
    out += ["index += 1", "added = 0"]
    for field, rule, noun in ((run_field, "identity-run", "run"),
                              (thread_field, "identity-thread", "thread")):
        if field:
            out += [f"value = event.get({field!r})", f"mine = run.{noun}_id",
                    "if value != mine and value is not None and mine is not None:",
                    f"    add({rule!r}, f'event of {noun} {{value!r}} inside {noun} {{mine!r}}', event)",
                    "    added += 1"]
    for needed in validator._before.get(kind, ()):
        out += [f"if {needed!r} not in types:",
                f"    add({kind + '-after-' + needed!r}, {kind + ' before any ' + needed!r}, event)",
                "    added += 1"]
    if pairing is not None:
        i, which = role  # type: ignore[misc]
        name, first, last = pairing.name, pairing.start, pairing.end
        pairs = f"open{i}"
        if which == 0:
            out += [f"if {pairs}.get(key):",
                    f"    add({name!r}, f'{first} {{key!r}} started twice', event)",
                    "    added += 1",
                    "else:"]
            if not pairing.allow_overlap:
                out += [f"    if any({pairs}.values()):",
                        f"        add({name!r}, f'{first} {{key!r}} overlaps another open one', event)",
                        "        added += 1"]
            out.append(f"    {pairs}[key] = 1")
        elif which == 2:
            out += [f"if {pairs}.get(key):", f"    {pairs}[key] = 0", "else:",
                    f"    add({name!r}, f'{last} {{key!r}} without a matching {first}', event)",
                    "    added += 1"]
        else:
            out += [f"if not {pairs}.get(key):",
                    f"    add({name!r}, f'{kind} {{key!r}} outside its {first}/{last}', event)",
                    "    added += 1"]
    out.append(f"types.add({kind!r})")
    if mode == "terminal":
        out += ["run.finished = True", "run.active = False"]
    out.append("return violations[-added:] if added else NONE")
    return out
