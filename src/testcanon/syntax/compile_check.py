"""Decide whether one file compiles, exactly as the running interpreter would, without running it.

`compile(source_bytes, path, "exec")` is CPython's own parser and compiler, honouring PEP 263
cookies and BOMs; the compiler adds its own checks, which the parser (`ast.PyCF_ONLY_AST`) leaves
out (`'await' outside async function`, `'return' outside function`,
`'break' outside loop`, a misplaced `from __future__`...): such a file parses, but importing it
fails all the same. Before it, cheap checks sort out what is not Python source at all (binary
files, stray NUL bytes, undecodable text, huge files), each reported as its own kind.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import tokenize
import warnings
from typing import NamedTuple

from testcanon.limits import BOUNDED_ABOVE, OverBudget, bounded
from testcanon.limits import current as current_budget

KIND_CODES: dict[str, str] = {
    "syntax-error": "CANON001",
    "indentation-error": "CANON002",
    "tab-error": "CANON003",
    "encoding-error": "CANON004",
    "null-bytes": "CANON005",
    "unreadable": "CANON006",
    "binary": "CANON007",
    "too-large": "CANON008",
}
# The codes of a file that does not compile (as against one that cannot be read or compiled at all).
COMPILE_FAILURE_CODES = frozenset(KIND_CODES[kind]
                                  for kind in ("syntax-error", "indentation-error", "tab-error",
                                               "encoding-error", "null-bytes"))

_BINARY_MAGIC = (b"\x7fELF", b"\x89PNG", b"PK\x03\x04", b"\x1f\x8b", b"%PDF", b"GIF8", b"\xff\xd8\xff")
_TEXT_CONTROL = {9, 10, 12, 13, 8, 27}


class Problem(NamedTuple):
    """Why a file does not compile; a plain tuple so it caches with `marshal`."""

    kind: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    frame: str


class Checked(NamedTuple):
    """A file's stat data and digest (for the cache) and its problem, if any."""

    relpath: str
    size: int
    mtime_ns: int
    digest: bytes
    problem: Problem | None
    unchanged: bool = False


def check_file(path: str, relpath: str, max_size: int, known_digest: bytes = b"") -> Checked:
    """Read and compile one file; never raises for anything the file contains.

    When the content's digest equals `known_digest` (the cache's), the file is not compiled
    and the result says `unchanged`: the caller reuses its cached verdict.
    """
    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size > max_size:
                problem = Problem("too-large", f"file is {stat.st_size:,} bytes, over the "
                                  f"{max_size:,}-byte limit (max_file_size); not compiled",
                                  1, 1, 1, 1, "")
                return Checked(relpath, stat.st_size, stat.st_mtime_ns, b"", problem)
            data = handle.read()
    except OSError as exc:
        return Checked(relpath, -1, -1, b"", Problem("unreadable", f"cannot read: {exc.strerror or exc}",
                                                      1, 1, 1, 1, ""))
    digest = hashlib.blake2b(data, digest_size=16).digest()
    if digest == known_digest:
        return Checked(relpath, stat.st_size, stat.st_mtime_ns, digest, None, unchanged=True)
    problem = _check_bounded(data, relpath) if len(data) > BOUNDED_ABOVE else check_source(data, relpath)
    if problem is not None and problem.kind == "too-large":  # over budget: not cached, tried again
        return Checked(relpath, stat.st_size, stat.st_mtime_ns, b"", problem)
    if problem is not None and problem.kind == "syntax-error":
        from testcanon.syntax.version import NEWER_PYTHON, is_version_specific

        if is_version_specific(problem, data.decode("utf-8", "replace")):
            problem = problem._replace(message=f"{NEWER_PYTHON}: {problem.message}")
    return Checked(relpath, stat.st_size, stat.st_mtime_ns, digest, problem)


def _check_bounded(data: bytes, relpath: str) -> Problem | None:
    """A large file is compiled inside the per-file budget: one that needs more is a finding."""
    budget = current_budget()
    result = bounded(budget, check_source, data, relpath)
    if isinstance(result, Problem) and result.message.startswith("MemoryError"):  # caught inside
        result = OverBudget("memory", f"over the memory budget of {budget.memory_mb} MiB per file "
                                      "(file_memory_budget)")
    if isinstance(result, OverBudget):
        return Problem("too-large", f"file of {len(data):,} bytes not compiled: {result.describe()}",
                       1, 1, 1, 1, "")
    return result


def check_source(data: bytes, filename: str = "<source>", *, parse_only: bool = False) -> Problem | None:
    """The problem that stops `data` compiling, or None when it compiles.

    `parse_only`: the parser's verdict alone, for a fragment of a file (one definition taken
    out of its function: its `nonlocal`, or an `await` of the code around it, is only
    decidable in context)."""
    if b"\0" in data:
        return _nul_problem(data)
    encoding_problem = _encoding_problem(data)
    if encoding_problem is not None:
        return encoding_problem
    try:
        with warnings.catch_warnings():  # `"is" with a literal` and the like: the file's business, not ours
            warnings.simplefilter("ignore")
            # Straight from the bytes: no Python AST objects are built, so the full compile costs
            # what parsing alone costs (building the tree, then compiling it, took twice as long)
            compile(data, filename, "exec", ast.PyCF_ONLY_AST if parse_only else 0, dont_inherit=True)
    except SyntaxError as exc:  # includes IndentationError and TabError
        return _syntax_problem(exc, data)
    except (ValueError, MemoryError, RecursionError) as exc:
        return Problem("syntax-error", f"{type(exc).__name__}: {exc}", 1, 1, 1, 1, "")
    return None


def compiled_tree(data: bytes) -> ast.Module | None:
    """The tree of `data` when it compiles (the compiler's checks after the parser's too), else
    None: where a caller needs the tree of every source that compiles, one parse serves both
    (compiling the tree costs a third of parsing; checking the bytes, then parsing, twice)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
            compile(tree, "<source>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return tree


def _nul_problem(data: bytes) -> Problem:
    head = data[:8192]
    controls = sum(1 for byte in head if byte < 32 and byte not in _TEXT_CONTROL)
    if head.startswith(_BINARY_MAGIC) or controls > max(4, len(head) * 0.1):
        return Problem("binary", "binary content (not Python source)", 1, 1, 1, 1, "")
    offset = data.index(b"\0")
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    frame = _frame(data, line, column)
    return Problem("null-bytes", "source contains a NUL byte", line, column, line, column + 1, frame)


def _encoding_problem(data: bytes) -> Problem | None:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in str(exc):
            return Problem("encoding-error", str(exc), 1, 1, 1, 1, "")
        encoding = "utf-8"  # undecodable first lines without a cookie: locate the byte below
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        declared = encoding not in ("utf-8", "utf-8-sig") or data.startswith(b"\xef\xbb\xbf")
        if declared:
            message = f"byte 0x{data[exc.start]:02x} cannot be decoded as declared encoding {encoding}"
        else:
            message = (f"non-UTF-8 byte 0x{data[exc.start]:02x} and no encoding declared "
                       "(PEP 263)")
        return Problem("encoding-error", message, line, column, line, column + 1,
                       _frame(data, line, column))
    except LookupError:
        return Problem("encoding-error", f"unknown encoding: {encoding}", 1, 1, 1, 1, "")
    return None


def _syntax_problem(exc: SyntaxError, data: bytes) -> Problem:
    kind = ("tab-error" if isinstance(exc, TabError)
            else "indentation-error" if isinstance(exc, IndentationError)
            else "syntax-error")
    line = exc.lineno or 1
    column = exc.offset or 1
    end_line = exc.end_lineno or line
    end_column = exc.end_offset or column
    return Problem(kind, exc.msg, line, column, end_line, end_column, _frame(data, line, column))


def _frame(data: bytes, line: int, column: int, context: int = 2) -> str:
    """A few numbered lines up to the error line and a caret under the column."""
    lines = data.decode("utf-8", "replace").splitlines()
    if not lines or line > len(lines) + 1:
        return ""
    first = max(1, line - context)
    last = min(len(lines), line)
    width = len(str(last))
    out = []
    for number in range(first, last + 1):
        text = lines[number - 1].replace("\0", "\\0").expandtabs(4)
        if len(text) > 160:
            text = text[:157] + "..."
        out.append(f"{number:>{width}} | {text}")
    if line <= len(lines):
        caret_column = min(max(column, 1), 160)
        out.append(f"{' ' * width} | {' ' * (caret_column - 1)}^")
    return "\n".join(out)
