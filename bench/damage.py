"""Synthetic damage: corrupt valid files the way bulk edits do, then measure `canon fix --method local`.

    python bench/damage.py DIR [--files 300] [--seed 1]

Each pattern below was observed in real broken commits (see docs/fix.md); one damage is applied
at a random eligible place of a valid file, kept only if the file then fails to compile, and
the local method repairs it. Rates per pattern: compiles, every test name kept, AST equal to
the original (an exact undo).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from testcanon.analysis.inventory import names_in_broken, names_in_tree
from testcanon.repair.local import repair_local
from testcanon.syntax import check_source

Damage = Callable[[list[str], random.Random], list[str] | None]
_OPENER = re.compile(r"^(\s*)(if|for|while|with|def|elif|else|try|except)\b.*:\s*$")


def _choose(rng: random.Random, candidates: list[int]) -> int | None:
    return rng.choice(candidates) if candidates else None


def lost_indent(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i in range(len(lines) - 1) if _OPENER.match(lines[i]) and lines[i + 1].strip()
             and len(lines[i + 1]) - len(lines[i + 1].lstrip()) > len(lines[i]) - len(lines[i].lstrip())]
    i = _choose(rng, sites)
    if i is None:
        return None
    indent = _OPENER.match(lines[i]).group(1)  # type: ignore[union-attr]
    return [*lines[: i + 1], indent + lines[i + 1].lstrip(), *lines[i + 2:]]


def closed_call(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i, line in enumerate(lines[:-1]) if line.rstrip().endswith("(") and lines[i + 1].strip()]
    i = _choose(rng, sites)
    if i is None:
        return None
    return [*lines[:i], lines[i].rstrip() + ")", *lines[i + 1:]]


def bracket_mess(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i, line in enumerate(lines)
             if re.search(r"[}\]]\s*$", line.rstrip()) and "{" in line + "["]
    i = _choose(rng, sites)
    if i is None:
        return None
    line = lines[i].rstrip()
    return [*lines[:i], line[:-1] + "))", *lines[i + 1:]]


def split_docstring(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i, line in enumerate(lines) if line.strip().startswith('"""') and line.strip() != '"""'
             and line.count('"""') == 1]
    i = _choose(rng, sites)
    if i is None:
        return None
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    return [*lines[: i + 1], indent + '"""SSOT: migrated by the remediation script."""', *lines[i + 1:]]


def stray_prose(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
    i = _choose(rng, sites)
    if i is None:
        return None
    return [*lines[: i + 1], "This module was updated by the automated remediation.", *lines[i + 1:]]


def unterminated(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i, line in enumerate(lines) if re.search(r"= '[^'\\]*'\s*$", line)]
    i = _choose(rng, sites)
    if i is None:
        return None
    return [*lines[:i], lines[i].rstrip()[:-1], *lines[i + 1:]]


def flattened(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i in range(1, len(lines) - 2) if lines[i].startswith("        ")
             and lines[i + 1].startswith("        ")
             and not lines[i].rstrip().endswith((":", "(", "[", "{", ",", "\\")) and lines[i - 1].strip()
             and not lines[i - 1].rstrip().endswith((":", "(", "[", "{", ",", "\\"))]
    i = _choose(rng, sites)
    if i is None:
        return None
    return [*lines[:i], "    " + lines[i], "    " + lines[i + 1], *lines[i + 2:]]


def moved_quote(lines: list[str], rng: random.Random) -> list[str] | None:
    """`f("abc")` -> `f("abc)"`: the closing quote pushed past the brackets that end the line."""
    sites = [i for i, line in enumerate(lines) if re.search(r"[^\\'\"]['\"][)\]}]+,?$", line.rstrip())
             and '"""' not in line and "'''" not in line]
    i = _choose(rng, sites)
    if i is None:
        return None
    match = re.search(r"(['\"])([)\]}]+,?)$", lines[i].rstrip())
    assert match is not None
    return [*lines[:i], lines[i].rstrip()[: match.start()] + match.group(2) + match.group(1), *lines[i + 1:]]


def quote_to_line_end(lines: list[str], rng: random.Random) -> list[str] | None:
    """`d["key"] == v` -> `d["key] == v"`: any quote of a one-line string taken out and appended
    to the line (the corpus's most common damage; the quote may be an opening one)."""
    sites = [i for i, line in enumerate(lines) if line.count('"') >= 2 and '"""' not in line
             and "'''" not in line and "\\" not in line and not line.lstrip().startswith("#")
             and not line.rstrip().endswith('"')]
    i = _choose(rng, sites)
    if i is None:
        return None
    line = lines[i].rstrip()
    quotes = [at for at, char in enumerate(line) if char == '"']
    at = rng.choice(quotes)
    return [*lines[:i], line[:at] + line[at + 1:] + '"', *lines[i + 1:]]


def escaped_newline(lines: list[str], rng: random.Random) -> list[str] | None:
    """`print("\\nDone")` -> `print("` / `Done")`: a script wrote a string's `\\n` escape as a
    real line break (one commit of the corpus, 2025-09-05, did so in hundreds of files)."""
    sites = [i for i, line in enumerate(lines) if _ESCAPED_NEWLINE.search(line)
             and '"""' not in line and "'''" not in line and not line.lstrip().startswith("#")]
    i = _choose(rng, sites)
    if i is None:
        return None
    match = _ESCAPED_NEWLINE.search(lines[i])
    assert match is not None
    return [*lines[:i], lines[i][: match.start(2)], lines[i][match.end(2):], *lines[i + 1:]]


# a one-line, non-raw string whose first escape is `\n`
_ESCAPED_NEWLINE = re.compile(r"(?<![\\rRbB\w])(['\"])[^'\"\\]*(\\n)")


def collapsed_brackets(lines: list[str], rng: random.Random) -> list[str] | None:
    """`x = [` ... `]` -> `x = [ ]` ... blank: the closer pulled up onto the opening line."""
    sites = []
    for i, line in enumerate(lines[:-2]):
        if line.rstrip().endswith(("[", "(", "{")) and "#" not in line:
            for j in range(i + 1, min(i + 12, len(lines))):
                if not lines[j].strip():
                    break
                if lines[j].strip() in ("]", ")", "}") and len(lines[j]) - len(lines[j].lstrip()) == \
                        len(line) - len(line.lstrip()):
                    sites.append((i, j))
                    break
    if not sites:
        return None
    i, j = sites[rng.randrange(len(sites))]
    indent = lines[j][: len(lines[j]) - len(lines[j].lstrip())]
    return [*lines[:i], lines[i].rstrip() + " " + lines[j].strip(), *lines[i + 1:j], indent, *lines[j + 1:]]


def flattened_body(lines: list[str], rng: random.Random) -> list[str] | None:
    """Every statement of a small function body flattened to the `def` line's column."""
    sites = []
    for i, line in enumerate(lines):
        match = re.match(r"(\s*)def \w+\(.*\):\s*$", line)
        if not match:
            continue
        width = len(match.group(1))
        end = i + 1
        while end < len(lines) and (not lines[end].strip()
                                    or len(lines[end]) - len(lines[end].lstrip()) > width):
            end += 1
        body = [text for text in lines[i + 1:end] if text.strip()]
        if 2 <= len(body) <= 12 and not any(
                re.match(r"\s*(if|for|while|try|with|elif|else|except|finally|def|class|async)\b", text)
                or text.rstrip().endswith(("(", "[", "{", ",", "\\")) or '"""' in text or "'''" in text
                for text in body):
            sites.append((i, end, match.group(1)))
    if not sites:
        return None
    i, end, indent = sites[rng.randrange(len(sites))]
    return [*lines[: i + 1], *(indent + text.lstrip() if text.strip() else text for text in lines[i + 1:end]),
            *lines[end:]]


def lost_colon(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i, line in enumerate(lines) if re.match(r"\s*def \w+\(.*\):\s*$", line)]
    i = _choose(rng, sites)
    if i is None:
        return None
    return [*lines[:i], lines[i].rstrip()[:-1], *lines[i + 1:]]


def lost_handler(lines: list[str], rng: random.Random) -> list[str] | None:
    sites = [i for i in range(len(lines) - 1) if re.match(r"\s*except\b.*:\s*$", lines[i])
             and re.match(r"\s*pass\s*$", lines[i + 1])]
    i = _choose(rng, sites)
    if i is None:
        return None
    return [*lines[:i], *lines[i + 2:]]


PATTERNS: dict[str, Damage] = {
    "statement lost its indentation": lost_indent, "call closed before its arguments": closed_call,
    "bracket mess": bracket_mess, "split docstring": split_docstring, "stray prose": stray_prose,
    "unterminated string": unterminated, "flattened lines (unexpected indent)": flattened,
    "lost colon": lost_colon, "deleted except handler": lost_handler,
    "closing quote moved past brackets": moved_quote,
    "closing bracket pulled onto its opening line": collapsed_brackets,
    "function body flattened to the def's column": flattened_body,
    "quote moved to the end of its line": quote_to_line_end,
    "`\\n` escape written as a line break": escaped_newline,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", metavar="PATTERN",
                        help="print a diff of every inexact repair of this pattern")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = sorted(p for p in args.directory.rglob("test_*.py") if p.stat().st_size < 200_000)
    rng.shuffle(sources)
    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in sources:
        if sum(s["cases"] for s in stats.values()) >= args.files:
            break
        data = path.read_bytes()
        if check_source(data) is not None:
            continue
        text = data.decode("utf-8", "replace")
        name = rng.choice(list(PATTERNS))
        damaged_lines = PATTERNS[name](text.splitlines(), rng)
        if damaged_lines is None:
            continue
        damaged = ("\n".join(damaged_lines) + "\n").encode()
        if check_source(damaged) is None:
            continue
        original_tests = names_in_tree(ast.parse(data))
        started = time.perf_counter()
        result = repair_local(damaged)
        seconds = time.perf_counter() - started
        row = stats[name]
        row["cases"] += 1
        row["seconds"] += seconds
        if result.fixed is not None:
            row["compiles"] += 1
            kept = names_in_tree(ast.parse(result.fixed))
            row["kept"] += names_in_broken(damaged.decode()) <= kept
            row["kept_original"] += original_tests <= kept
            exact = ast.dump(ast.parse(result.fixed)) == ast.dump(ast.parse(data))
            row["exact"] += exact
        else:
            exact = False
        if args.show == name and not exact:
            repaired = result.fixed.decode("utf-8", "replace") if result.fixed else ""
            print(f"--- {path} ({result.reason or 'inexact'})")
            print("".join(difflib.unified_diff(text.splitlines(True), repaired.splitlines(True), "original",
                                               "repaired", n=1)) or "(not repaired)\n")
    print("| damage | cases | compiles | every test kept | all original tests kept | "
          "exact undo (AST) | mean s |")
    print("|---|---|---|---|---|---|---|")
    total: dict[str, float] = defaultdict(float)
    for name, row in sorted(stats.items()):
        n = row["cases"]
        for key, value in row.items():
            total[key] += value
        print(f"| {name} | {int(n)} | {100 * row['compiles'] / n:.0f}% | {100 * row['kept'] / n:.0f}% | "
              f"{100 * row['kept_original'] / n:.0f}% | {100 * row['exact'] / n:.0f}% | "
              f"{row['seconds'] / n:.3f} |")
    n = total["cases"] or 1
    print(f"| **all** | {int(total['cases'])} | {100 * total['compiles'] / n:.1f}% | "
          f"{100 * total['kept'] / n:.1f}% | {100 * total['kept_original'] / n:.1f}% | "
          f"{100 * total['exact'] / n:.1f}% | {total['seconds'] / n:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
