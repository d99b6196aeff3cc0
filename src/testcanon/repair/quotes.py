"""Quotes a bulk edit moved or stripped, put back.

The most common damage in the corpus this was learned from (about 6,000 lines): a script took
one quote of a string literal and appended it to the line, so `"key": value,` became
`"key: value,"` and `f"user_{id}_ok", n` became `fuser_{id}_ok", n"`. The line then holds a
string that runs to its end. Two inversions: the string's *closing* quote goes back inside it
(`"key": value,`), or its quote was really a closing one and the *opening* quote goes back in
front of it (`f"user_{id}_ok", n`). Every place is proposed where the line then reads as code
outside its strings (no two names or values side by side); the search keeps the place whose
result compiles furthest, shortest string first. On the corpus's 5,984 moved quotes the first
candidate is the original line for 92.7% (`python bench/quotes.py REPO`); the misses are lines
that read as code both ways (`"no files" in project)` for `"no files in project")`), which no
check short of the lost original can tell apart.

Text whose quotes were stripped altogether is quoted back only where it cannot be code
(`quote_stripped_arguments`): `log([U+1F4BE] Checking volumes)`, `assert ok, VIOLATION: local`.
"""

from __future__ import annotations

import ast
import functools
import io
import keyword
import re
import tokenize
import warnings

from testcanon.repair.brackets import CLOSERS, bracket_balance, unclosed

# Where a moved closing quote could have stood: before punctuation or a space that ends a string.
_CLOSING_AT = re.compile(r"(?=[\s:,)\]}=%.])")
# What an opening quote follows: an opening bracket, a separator, an operator's space.
_OPENING_AFTER = "([{,=: \t"
_VALUES = {"NAME", "NUMBER", "STRING"}
_OPERATOR_WORDS = {name for name in keyword.kwlist if name not in ("None", "True", "False")}
_SOFT_KEYWORDS = {"match", "case", "type"}  # keywords only as a statement's first word
_STRING_ATTRIBUTES = set(dir(str)) | set(dir(bytes))


def moved_quote_candidates(line: str) -> tuple[tuple[str, str], ...]:
    """Lines that put the quote ending `line` back where it may have come from, with why, best
    first. Cached: the search asks again for every line of every state it expands."""
    body = line.rstrip()
    if not body or body[-1] not in "\"'" or body.endswith(("'''", '"""')):
        return ()
    return _candidates(line, body)


@functools.lru_cache(maxsize=8192)
def _candidates(line: str, body: str) -> tuple[tuple[str, str], ...]:
    quote = body[-1]
    start = _last_string_start(body, quote)
    if start is None:
        return ()
    head, inner = body[:start], body[start + 1:-1]
    tail = line[len(body):]
    found: dict[str, str] = {}
    # The string's closing quote came from inside it: shortest string first.
    for match in _CLOSING_AT.finditer(inner):
        position = match.start()
        candidate = f"{head}{quote}{inner[:position]}{quote}{inner[position:]}{tail}"
        found.setdefault(candidate, "put back a closing quote a bulk edit moved to the end of the line")
    # Its quote was a closing one; the opening quote goes back in front of the text it ends.
    lead = len(head) - len(head.lstrip())
    positions = [at for at in range(len(head), lead - 1, -1)
                 if at == lead or head[at - 1] in _OPENING_AFTER or _is_prefix_end(head, at)]
    for at in sorted(positions, key=lambda at: (not _is_prefix_end(head, at), -at)):
        candidate = f"{head[:at]}{quote}{head[at:]}{quote}{inner}{tail}"
        found.setdefault(candidate, "put back an opening quote a bulk edit moved to the end of the line")
    # A string before it lost its closing quote (`d["k] == "v""`): the last resort of the three.
    for match in _CLOSING_AT.finditer(head, lead):
        at = match.start()
        candidate = f"{head[:at]}{quote}{head[at:]}{quote}{inner}{tail}"
        found.setdefault(candidate, "put back a closing quote a bulk edit moved to the end of the line")
    # Most lines close what they open: a string that swallowed a bracket leaves one open.
    ranked = sorted((candidate for candidate in found if plausible(candidate)),
                    key=lambda candidate: abs(bracket_balance(candidate.strip()) or 0))
    return tuple((candidate, found[candidate]) for candidate in ranked)


def _is_prefix_end(head: str, at: int) -> bool:
    """`f` of `fuser_{id}` or `fTotal: ...`: an f-string prefix whose quote was moved away."""
    word = re.search(r"[A-Za-z_]\w*$", head[:at])
    if not (word and word.group(0) in ("f", "F", "rf", "fr")):
        return False
    return _reads_as_fstring_text(head[at:])


def _reads_as_fstring_text(rest: str) -> bool:
    """What follows an `f` whose quote is gone reads as the f-string's text, not as the rest of
    a name: a field, a capital, a digit, a space or a symbol (`f{id}`, `fTotal`, `f1.`, `f✅`)."""
    return bool(rest) and ("{" in rest or not rest[0].isalnum() or rest[0].isupper() or rest[0].isdigit())


def _last_string_start(body: str, quote: str) -> int | None:
    """Where the one-line string that ends `body` starts (None if the last quote closes nothing)."""
    opened: int | None = None
    i = 0
    while i < len(body):
        char = body[i]
        if opened is None:
            if char == "#":
                return None
            if char in "\"'":
                if body.startswith(char * 3, i):
                    return None  # triple-quoted text is another pattern's business
                opened = i
        elif char == "\\":
            i += 1
        elif char == body[opened]:
            if i == len(body) - 1:
                return opened if char == quote else None
            opened = None
        i += 1
    return None


def reads_as_code(line: str) -> bool:
    """The line tokenizes (brackets may stay open) with no two values side by side."""
    previous = previous_text = ""
    literal_attribute = False
    stack: list[str] = []
    depth = 0  # inside an f-string's tokens (Python 3.12+ splits them)
    try:
        for token in tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline):
            kind = tokenize.tok_name[token.type]
            if kind == "ERRORTOKEN" and token.string.strip():
                return False
            if kind == "STRING" and not _valid_literal(token.string):
                return False  # `f"total: {count"`: a field the moved quote cut
            if kind == "OP" and token.string in "([{":
                stack.append(CLOSERS[token.string])
            elif kind == "OP" and token.string in ")]}" and stack and stack.pop() != token.string:
                return False  # `([x)`: a bracket closed by the wrong kind
            if kind == "FSTRING_START":
                depth += 1
                continue
            if kind == "FSTRING_END":
                depth -= 1
                kind = "STRING"
            elif depth:
                continue
            if kind in ("NEWLINE", "NL", "COMMENT", "INDENT", "DEDENT", "ENDMARKER"):
                continue
            word = token.string in _OPERATOR_WORDS or (not previous and token.string in _SOFT_KEYWORDS)
            current = "WORD" if kind == "NAME" and word else kind
            if token.string == "//" and previous_text == ":":
                return False  # `http://host`: a URL, never code
            if current == "OP" and token.string in ")]}":
                current = "CLOSE"
            if previous in ("NAME", "NUMBER", "CLOSE") and current in _VALUES:
                return False
            if previous == "STRING" and current in ("NAME", "NUMBER"):
                return False
            if literal_attribute and current == "NAME" and token.string not in _STRING_ATTRIBUTES:
                return False  # `"utf-8".file`: a literal has no such attribute
            literal_attribute = previous == "STRING" and token.string == "."
            previous, previous_text = current, token.string
    except tokenize.TokenError as error:
        return "multi-line statement" in str(error.args[0])
    except (SyntaxError, IndentationError):
        return False
    return True


@functools.lru_cache(maxsize=8192)
def plausible(line: str) -> bool:
    """Reads as code, and compiles on its own when it can stand alone: as a statement, a header,
    call arguments or collection items (a line that opens or closes brackets cannot be judged)."""
    if not reads_as_code(line):
        return False
    text = line.strip()
    if text.startswith(("elif ", "else", "except", "finally", "case ")) or bracket_balance(text) != 0:
        return True
    body = f"{text}\n    pass" if text.endswith(":") else text
    for wrapped in (body, f"_(\n{text}\n)", f"{{\n{text}\n}}", f"[\n{text}\n]", f"[_ for _ in _\n{text}\n]"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(wrapped)  # not compile: `return`/`await` stand outside their function here
            return True
        except (SyntaxError, ValueError):
            continue
    return False


def _valid_literal(literal: str) -> bool:
    try:
        ast.parse(literal, mode="eval")
    except (SyntaxError, ValueError):
        return False
    return True


def moved_quotes_everywhere(lines: list[str]) -> tuple[list[str], int]:
    """Every line a moved quote visibly broke (it does not read as code, or the move left a
    bracket open that the best candidate closes) given its best candidate; (lines, changed)."""
    out, changed = list(lines), 0
    for number, line in enumerate(lines):
        best = _visibly_moved(line) if line.rstrip().endswith(("'", '"')) else None
        if best is not None:
            out[number] = best
            changed += 1
    return out, changed


@functools.lru_cache(maxsize=8192)
def _visibly_moved(line: str) -> str | None:
    readable = plausible(line)
    if readable and bracket_balance(line.strip()) == 0:
        return None
    proposed = moved_quote_candidates(line)
    if not proposed or readable and bracket_balance(proposed[0][0].strip()) != 0:
        return None
    return proposed[0][0]


def quote_stripped_arguments(line: str) -> str | None:
    """`log([U+1F4BE] Checking volumes)`, `assertIn(User context required, str(e))`: a bulk
    edit stripped the quotes from call arguments that are text (maybe leaving one at the line's
    end). Quote every argument that cannot be code (two words side by side); None if none."""
    body = line.rstrip()
    stray = len(body) - len(body.rstrip('"'))
    if body.count('"') == stray <= 2 and "'" not in body:  # the quotes left at the end, if any
        body = body[: len(body) - stray]
    elif '"' in body or "'" in body:
        return None
    chosen: list[tuple[int, int]] = []  # (start, end) of the text to quote, innermost first
    for start, end in sorted(_text_spans(body), key=lambda span: span[1] - span[0]):
        text = body[start:end]
        keyword_arg = re.match(r"\s*[A-Za-z_]\w*\s*=(?!=)\s*", text)
        # after `(` a leading space is the text's own (`( CYCLE: ...` was `(" CYCLE: ...`)
        first = start > 0 and body[start - 1] in "(["
        value_at = keyword_arg.end() if keyword_arg else 0 if first else len(text) - len(text.lstrip())
        value = text[value_at:].rstrip()
        span = (start + value_at, start + value_at + len(value))
        inside = [other for other in chosen if span[0] <= other[0] and other[1] <= span[1]]
        if not value.strip() or any(a < span[1] and span[0] < b for a, b in chosen if (a, b) not in inside):
            continue
        # text around text already found (`f FAIL: {n} (need 3)`) is one string, not two
        if _is_text(_quoted(body, inside, *span) if inside else value):
            chosen = [other for other in chosen if other not in inside] + [span]
    if not chosen:
        return None
    return _quoted(body, chosen, 0, len(body))


def _quoted(body: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """body[start:end] with each span quoted (an f-string when it opens like one)."""
    out, last = [], start
    for begin, finish in sorted(spans):
        value = body[begin:finish]
        prefix = ""
        if value[:1] in "fF" and _reads_as_fstring_text(value[1:]):
            prefix, value = value[0], value[1:]
        quote = "'" if '"' in value else '"'
        out.append(body[last:begin] + f"{prefix}{quote}{value}{quote}")
        last = finish
    return "".join(out) + body[last:end]


def _text_spans(body: str) -> list[tuple[int, int]]:
    """Where text may stand: call arguments, an assignment's value, an assertion's message, or
    the whole line when it opens like an f-string (a continuation line that was one)."""
    spans = _argument_spans(body)
    lead = len(body) - len(body.lstrip())
    if body[lead:lead + 1] in ("f", "F") and _reads_as_fstring_text(body[lead + 1:]):  # prose alone: not here
        end = len(body)  # not the comma after it, nor closers of brackets opened on earlier lines
        while end > lead and (body[end - 1] in ", " or body[end - 1] in ")]}"
                              and (bracket_balance(body[lead:end]) or 0) < 0):
            end -= 1
        spans.append((lead, end))
    assignment = re.match(r"\s*[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*=(?!=)\s*", body)
    if assignment:
        spans.append((assignment.end(), len(body)))
    if re.match(r"\s*assert\b", body):
        depth = 0
        for at, char in enumerate(body):
            depth += (char in "([{") - (char in ")]}")
            if char == "," and depth == 0:
                spans.append((at + 1, len(body.rstrip().removesuffix("\\").rstrip())))
                break
    return spans


def _argument_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of each comma-separated item of every call, tuple, list or subscript that
    opens and closes on the line (not dict items: `key: value` is another shape)."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[int, list[int]]] = []  # an open bracket: where its items start, its commas
    for at, char in enumerate(body):
        if char in "([":
            stack.append((at + 1, []))
        elif char == "{":
            stack.append((-1, []))
        elif char == "," and stack:
            stack[-1][1].append(at)
        elif char in ")]}" and stack:
            begin, commas = stack.pop()
            if begin >= 0:
                edges = [begin - 1, *commas, at]
                spans.extend((edges[i] + 1, edges[i + 1]) for i in range(len(edges) - 1))
    return sorted(spans)


def _is_text(value: str) -> bool:
    """Cannot be code: two words side by side, or closed brackets around something that does
    not parse as an argument (`rglob(*.py)`)."""
    if not re.search(r"[A-Za-z]{2}", value) or bracket_balance(value) != 0 or unclosed(value):
        return False  # no words, or brackets to mend (or to continue on the next line): not text
    if not reads_as_code(value):
        return True
    try:
        ast.parse(f"_({value})", mode="eval")
    except SyntaxError:
        return True
    return False
