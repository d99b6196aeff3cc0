"""Brackets (and other code) of one line of possibly broken code, outside its one-line strings
and comments."""

from __future__ import annotations

CLOSERS = {"(": ")", "[": "]", "{": "}"}


def code_positions(line: str) -> tuple[list[int], bool]:
    """Where the line's code is (outside one-line strings, before a comment), and whether a quote
    is still open at its end."""
    found: list[int] = []
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
        else:
            found.append(i)
        i += 1
    return found, bool(quote)


def code_brackets(line: str) -> str | None:
    """The line's brackets outside one-line strings and comments, in order; None if a quote is open."""
    positions, open_quote = code_positions(line)
    return None if open_quote else "".join(line[i] for i in positions if line[i] in "()[]{}")


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
