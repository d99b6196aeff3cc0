"""Register markers a suite uses but never declared, in the project's own pytest configuration.

Under `--strict-markers` an unregistered `@pytest.mark.NAME` fails collection of its whole file
("'NAME' not found in `markers` configuration option"). The repair is one edit to the file
pytest reads its configuration from, adding each name to `markers` with a line saying where it
came from. Text is edited in place (comments, order and layout kept): `tomlkit` for
pyproject.toml, a line insertion for the ini formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tomlkit

UNREGISTERED = re.compile(r"'(?P<name>\w+)' not found in `markers` configuration option")
NOTE = "registered by canon collect --repair (used, never declared)"


def unregistered_marker(cause: str) -> str | None:
    match = UNREGISTERED.search(cause)
    return match.group("name") if match else None


def register(text: str, filename: str, names: Iterable[str]) -> str:
    """The configuration text with `names` added to `markers` (names already there are kept once)."""
    wanted = sorted(set(names))
    if filename == "pyproject.toml":
        return _register_toml(text, wanted)
    section = "tool:pytest" if filename == "setup.cfg" else "pytest"
    return _register_ini(text, section, wanted)


def _register_toml(text: str, names: list[str]) -> str:
    document = tomlkit.parse(text)
    options = document.setdefault("tool", tomlkit.table()).setdefault("pytest", tomlkit.table()) \
        .setdefault("ini_options", tomlkit.table())
    markers = options.get("markers")
    if markers is None:
        markers = tomlkit.array()
        markers.multiline(True)
        options["markers"] = markers
    present = {str(entry).split(":", 1)[0].strip() for entry in markers}
    for name in names:
        if name not in present:
            markers.append(f"{name}: {NOTE}")
    return tomlkit.dumps(document)


_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]\s*$")
_KEY = re.compile(r"^(?P<key>[\w.-]+)\s*[=:]")


def _register_ini(text: str, section: str, names: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if text.endswith("\r\n") else "\n"
    start = next((i for i, line in enumerate(lines) if (m := _SECTION.match(line.strip()))
                  and m.group("name").strip() == section), None)
    if start is None:
        block = [f"[{section}]{newline}", f"markers ={newline}",
                 *(f"    {n}: {NOTE}{newline}" for n in names)]
        prefix = "" if not text or text.endswith(("\n", "\r\n")) else newline
        return text + prefix + (newline if text.strip() else "") + "".join(block)
    end = next((i for i in range(start + 1, len(lines)) if _SECTION.match(lines[i].strip())), len(lines))
    key_line = next((i for i in range(start + 1, end) if (m := _KEY.match(lines[i]))
                     and m.group("key") == "markers"),
                    None)
    if key_line is None:
        insert = end
        while insert > start + 1 and not lines[insert - 1].strip():
            insert -= 1
        if insert and not lines[insert - 1].endswith(("\n", "\r\n")):
            lines[insert - 1] += newline
        lines[insert:insert] = [f"markers ={newline}", *(f"    {n}: {NOTE}{newline}" for n in names)]
        return "".join(lines)
    last = key_line
    present = set()
    first_value = lines[key_line].split("=", 1)[-1].strip() if "=" in lines[key_line] else ""
    if first_value:
        present.add(first_value.split(":", 1)[0].strip())
    for i in range(key_line + 1, end):
        if lines[i].strip() and lines[i][:1] in (" ", "\t"):
            last = i
            present.add(lines[i].strip().split(":", 1)[0].strip())
        elif lines[i].strip():
            break
    if not lines[last].endswith(("\n", "\r\n")):
        lines[last] += newline
    indent = re.match(r"[ \t]*", lines[last]).group(0) if last != key_line else "    "
    lines[last + 1:last + 1] = [f"{indent}{n}: {NOTE}{newline}" for n in names if n not in present]
    return "".join(lines)
