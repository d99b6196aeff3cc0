"""docs/rules/CODE.md, generated from the rule classes (`canon rule CODE` prints the same)."""

from __future__ import annotations

from pathlib import Path

from testcanon.errors import UsageError
from testcanon.rules.registry import ALL_RULES, BY_CODE
from testcanon.syntax.rules import SCAN_RULES


def rule_text(code: str) -> str:
    code = code.upper()
    if code in BY_CODE:
        return BY_CODE[code].document()
    for info in SCAN_RULES:
        if info.code == code:
            return (f"# {info.code}: {info.name}\n\n{info.summary}\n\nFamily: {info.family}\n\n"
                    "## What it does\n\nReported by `canon scan` (and `canon check`) for a file the "
                    "interpreter cannot compile; see docs/formats.md.\n\n## Fix\n\n"
                    "`canon fix` repairs syntax damage with verified edits.\n")
    import difflib

    known = [*BY_CODE, *(i.code for i in SCAN_RULES)]
    close = difflib.get_close_matches(code, known, n=1)
    raise UsageError(f"no rule {code}" + (f" (did you mean {close[0]}?)" if close else ""))


def write_docs(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for code in [*(i.code for i in SCAN_RULES), *(r.code for r in ALL_RULES)]:
        path = directory / f"{code}.md"
        path.write_text(rule_text(code), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python -m testcanon.rules.docs docs/rules
    import sys

    for path in write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")):
        print(path)
