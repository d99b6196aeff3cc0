"""Repair definition by definition, so damage in one function cannot block the rest.

A bulk edit that broke a file usually broke it in many places. Searching for edits from the
first compile error onwards stalls at the first place no single edit can mend, and everything
after it stays broken. Definitions are anchors that survive the damage (`def`/`class` lines
with their decorators), so the file is split into *units*, one per definition plus the
prelude before the first one, and each unit is checked on its own:

1. a unit that compiles alone is kept as it is (new work survives);
2. a broken unit takes the same definition from a *donor*, an earlier version that compiled
   (history mode), when that definition compiles there;
3. otherwise the local search repairs the unit alone, where it has few errors to mend.

The units are put back at their own indentation and the whole file goes through the local
search once more (a few seams may remain) and then through `verify`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from testcanon.analysis.inventory import indent_width
from testcanon.syntax import check_source

_ANCHOR = re.compile(r"^([ \t]*)(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)")
_DECORATOR = re.compile(r"^[ \t]*@")
_METHOD = re.compile(r"^(?:async[ \t]+)?def[ \t]+\w+[ \t]*\([ \t]*(?:self|cls)\b")
MAX_MERGE = 3  # a unit split by a `def` inside a string is re-joined with up to this many next ones


@dataclass(frozen=True)
class Unit:
    """Lines [start, end) of a file: one definition (decorators first) or the prelude."""

    start: int
    end: int
    name: str  # dotted path of definitions, e.g. "TestX.test_y"; "" for the prelude
    indent: str  # the anchor line's indentation

    @property
    def is_prelude(self) -> bool:
        return not self.name



def split_units(lines: Sequence[str]) -> list[Unit]:
    anchors: list[tuple[int, int, re.Match[str]]] = []  # (start incl. decorators, anchor line, match)
    for index, line in enumerate(lines):
        match = _ANCHOR.match(line)
        if match:
            start = index
            while start > 0 and _DECORATOR.match(lines[start - 1]) and (not anchors
                                                                        or start - 1 > anchors[-1][1]):
                start -= 1
            anchors.append((start, index, match))
    units = [Unit(0, anchors[0][0] if anchors else len(lines), "", "")]
    stack: list[tuple[int, str]] = []
    for position, (start, _, match) in enumerate(anchors):
        end = anchors[position + 1][0] if position + 1 < len(anchors) else len(lines)
        width = indent_width(match.group(1))
        while stack and width <= stack[-1][0]:
            stack.pop()
        stack.append((width, match.group(2)))
        units.append(Unit(start, end, ".".join(name for _, name in stack), match.group(1)))
    return units


def _dedent(lines: Sequence[str], indent: str) -> list[str]:
    out = []
    for line in lines:
        if line.startswith(indent):
            out.append(line[len(indent):])
        elif not line.strip():
            out.append("")
        else:
            out.append(line.lstrip())  # flattened below its definition: damage to mend
    return out


def _standalone(lines: list[str]) -> str:
    """The unit as a module of its own; a body-less definition gets `pass` just for the check."""
    return "\n".join(lines) + "\n" + ("    pass\n" if _body_less(lines) else "")


def unit_lines(lines: Sequence[str], unit: Unit) -> list[str]:
    """The unit's lines, dedented to column 0; its decorators aligned with its definition."""
    body = _dedent(lines[unit.start:unit.end], unit.indent)
    for index, line in enumerate(body):
        if not _DECORATOR.match(line):
            break
        body[index] = line.lstrip()
    return body


def compiles(lines: list[str]) -> bool:
    # a fragment: what only its context decides (`nonlocal`, an enclosing function's `await`)
    # is left to the whole file's check
    return check_source(_standalone(lines).encode("utf-8", "replace"), parse_only=True) is None


def _body_less(lines: list[str]) -> bool:
    code = [line for line in lines if line.strip() and not line.lstrip().startswith(("#", "@"))]
    return len(code) == 1 and bool(_ANCHOR.match(code[0]))


def _donor_units(donors: Sequence[str]) -> dict[str, list[str]]:
    """name -> the definition's dedented lines in the newest donor where it compiles alone.

    Also keyed by the bare name (`test_x` for `TestA.test_x`) when that is unambiguous: damage
    that flattened a class line moves its methods out of it in today's text."""
    found: dict[str, list[str]] = {}
    leaves: dict[str, set[str]] = {}
    for donor in donors:
        lines = donor.splitlines()
        for unit in split_units(lines):
            if unit.is_prelude and not unit.end:
                continue
            body = unit_lines(lines, unit)
            key = unit.name or "<prelude>"
            if key not in found and compiles(body):
                found[key] = body
                leaves.setdefault(key.rsplit(".", 1)[-1], set()).add(key)
    for leaf, names in leaves.items():
        if len(names) == 1 and leaf not in found:
            found[leaf] = found[next(iter(names))]
    return found


LocalRepair = Callable[[str, bool], "str | None"]  # (unit text, is a definition)


def repair_by_units(text: str, local: LocalRepair, donors: Sequence[str] = (), *,
                    unmended: list[str] | None = None) -> tuple[str | None, list[str]]:
    """The text with each broken unit mended (donor, then `local`), and what was done; None
    as soon as one unit cannot be mended (then no repair of the file can verify). Given
    `unmended`, every unit is tried and the ones that could not be mended are listed there
    (a diagnosis of how far the file is from a repair; the result is still None).

    The result may still not compile (a seam between units); the caller finishes and verifies it.
    """
    lines = text.splitlines()
    units = split_units(lines)
    from_donor = _donor_units(donors) if donors else {}
    out: list[str] = []
    notes: list[str] = []
    home: str | None = None  # the body indentation of the last class at column 0
    moved: str | None = None  # a method moved back into that class: the helpers it nests move too
    index = 0
    while index < len(units):
        unit = units[index]
        body = unit_lines(lines, unit)
        indent = unit.indent
        anchor = next((line for line in body if not _DECORATOR.match(line)), "")
        if not unit.is_prelude and not unit.indent:
            moved = None
            if anchor.startswith("class"):
                home = _body_indent(lines[unit.start:unit.end])
            elif home is not None and _METHOD.match(anchor):
                # `def test_x(self, ...)` at column 0 after a class: a method a bulk edit
                # flattened out of it (a function cannot take `self`); put it back
                indent, moved = home, unit.name
                notes.append(f"{unit.name}: moved back into the class above it (flattened to column 0)")
            else:
                home = None
        elif (moved is not None and home is not None and unit.name.startswith(moved + ".")
              and not _METHOD.match(anchor)):
            indent = home + unit.indent  # a helper it nests moves with it; a method was the class's already
        if compiles(body):
            out += _reindent(body, indent, lines[unit.start:unit.end])
            index += 1
            continue
        joined = _rejoined(lines, units, index)
        if joined is not None:  # a `def` inside a string split one unit in several
            out += lines[unit.start:units[joined].end]
            index = joined + 1
            continue
        label = unit.name or "the module prelude"
        donor = from_donor.get(unit.name or "<prelude>") or from_donor.get(unit.name.rsplit(".", 1)[-1])
        mended: list[str] | None = None
        if donor is not None:
            mended = donor
            notes.append(f"{label}: restored from the last version where it compiled")
        else:
            fixed = local("\n".join(body) + "\n", not unit.is_prelude)
            if fixed is not None:
                mended = fixed.splitlines()
                notes.append(f"{label}: repaired on its own")
        if mended is None:
            if unmended is None:  # the file cannot be verified now: stop paying for the other units
                return None, [*notes, f"{label}: could not be repaired on its own"]
            unmended.append(label)
            out += body
        else:
            out += [indent + line if line.strip() else line for line in mended]
        index += 1
    if unmended:
        return None, [*notes, f"{unmended[0]}: could not be repaired on its own"]
    return "\n".join(out) + ("\n" if text.endswith("\n") else ""), notes


def _body_indent(class_lines: Sequence[str]) -> str:
    """The indentation of a class's body (4 spaces when no body line is indented)."""
    for line in class_lines[1:]:
        if line.strip() and line[0] in " \t" and not line.lstrip().startswith("#"):
            return line[: len(line) - len(line.lstrip())]
    return "    "


def _reindent(body: list[str], indent: str, original: Sequence[str]) -> list[str]:
    """Back at the unit's indentation; blank lines stay byte for byte as they were."""
    return [indent + line if line.strip() else before for line, before in zip(body, original, strict=True)]


def _rejoined(lines: list[str], units: list[Unit], index: int) -> int | None:
    unit = units[index]
    for last in range(index + 1, min(index + 1 + MAX_MERGE, len(units))):
        if compiles(unit_lines(lines, Unit(unit.start, units[last].end, unit.name, unit.indent))):
            return last
    return None
