"""Gitignore-like path globs, compiled once into one regular expression.

A pattern without `/` matches any path component (`.venv`, `*.sh`, `Makefile`); a pattern
with `/` is anchored at the project root; `**` spans any number of directories; a pattern
that matches a directory matches everything below it (`backup/**` and `backup` alike).
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _translate(pattern: str) -> str:
    pattern = pattern.strip().replace("\\", "/")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    pattern = pattern.removeprefix("./")
    parts = pattern.split("/")
    out: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append("(?:.*/)?" if not last else ".*")
            continue
        out.append(_translate_part(part) + ("" if last else "/"))
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return f"{prefix}{body}(?:/.*)?"


def _translate_part(part: str) -> str:
    regex = []
    i = 0
    while i < len(part):
        char = part[i]
        if char == "*":
            regex.append("[^/]*")
        elif char == "?":
            regex.append("[^/]")
        elif char == "[":
            end = part.find("]", i + 1)
            if end == -1:
                regex.append(re.escape(char))
            else:
                body = part[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                regex.append(f"[{body}]")
                i = end
        else:
            regex.append(re.escape(char))
        i += 1
    return "".join(regex)


_WILDCARDS = frozenset("*?[")


class GlobSet:
    """A set of globs matched against POSIX paths relative to the project root.

    The two common shapes skip the regular expression: a bare name (`.venv`) is a set
    lookup on path components and `**/*.py` is a suffix test; scans match every file
    of a 25,000-file tree against these, so it matters.
    """

    __slots__ = ("_names", "_regex", "_suffixes", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(p.strip() for p in patterns if p.strip())
        names: set[str] = set()
        suffixes: list[str] = []
        rest: list[str] = []
        for pattern in self.patterns:
            bare = pattern.removeprefix("**/")
            if "/" not in pattern.strip("/") and not _WILDCARDS & set(pattern):
                names.add(pattern.strip("/"))
            elif bare.startswith("*.") and not ("/" in bare or _WILDCARDS & set(bare[1:])):
                suffixes.append(bare[1:])
            else:
                rest.append(pattern)
        self._names = frozenset(names)
        self._suffixes = tuple(suffixes)
        self._regex = (re.compile("|".join(f"(?:{_translate(p)})" for p in rest), re.DOTALL)
                       if rest else None)

    def match(self, relpath: str) -> bool:
        """True when `relpath` (or a directory above it) matches one of the patterns."""
        if self._suffixes and relpath.endswith(self._suffixes):
            return True
        if self._names and not self._names.isdisjoint(relpath.split("/")):
            return True
        return self._regex is not None and self._regex.fullmatch(relpath) is not None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __repr__(self) -> str:
        return f"GlobSet({list(self.patterns)!r})"


def first_match(globsets: list[GlobSet], relpath: str) -> int:
    """Index of the first globset matching `relpath`, or `len(globsets)` when none does."""
    for index, globset in enumerate(globsets):
        if globset.match(relpath):
            return index
    return len(globsets)
