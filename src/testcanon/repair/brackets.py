"""Brackets of one line of possibly broken code, outside its one-line strings and comments."""

from __future__ import annotations

CLOSERS = {"(": ")", "[": "]", "{": "}"}


def code_brackets(line: str) -> str | None:
    """The line's brackets outside one-line strings and comments, in order; None if a quote is open."""
    found: list[str] = []
    quote, i = "", 0
    while i < len(line):
        char = line[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            break
        elif char in "()[]{}":
            found.append(char)
        i += 1
    return None if quote else "".join(found)


def unclosed(line: str) -> str | None:
    """The closers the line's still-open brackets need, innermost first (None if a quote is open)."""
    brackets = code_brackets(line)
    if brackets is None:
        return None
    stack: list[str] = []
    for char in brackets:
        if char in "([{":
            stack.append(CLOSERS[char])
        elif stack and stack[-1] == char:
            stack.pop()
    return "".join(reversed(stack))


def bracket_balance(line: str) -> int | None:
    """Open minus closed brackets outside one-line strings and comments; None if a quote is open."""
    brackets = code_brackets(line)
    if brackets is None:
        return None
    return sum(1 if char in "([{" else -1 for char in brackets)
