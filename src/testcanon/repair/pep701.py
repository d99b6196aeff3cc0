"""Rewriting Python 3.12 f-strings (PEP 701) for an older interpreter, on request.

From 3.12 an f-string's replacement fields may hold the string's own quote, backslashes and line
breaks (`f"{d["k"]}"`, `f"{'\\n'.join(xs)}"`). Older interpreters reject them. Where the other
quote kind is all a field needs, it gets that (`f"{d['k']}"`); any other f-string the running
interpreter cannot compile becomes the equivalent `str.format` call: the text stays the template
(its `{{`/`}}` escapes mean the same there), each field becomes `{}` with its conversion and
format spec (nested fields too), and the expressions, as written, become the arguments, where
any quote or backslash is allowed: `f"{d["k"]!r:>{w}}"` -> `"{!r:>{}}".format(d["k"], w)`. An
f-string inside an implicit concatenation turns that concatenation into `+` (a call cannot be
concatenated). LibCST's 3.12 grammar reads the file; the result must then compile here and pass
`verify`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import cast

import libcst as cst
from libcst.metadata import ParentNodeProvider

_Part = cst.FormattedStringText | cst.FormattedStringExpression


def rewrite_fstrings(text: str) -> tuple[str, int] | None:
    """The text with every f-string this interpreter rejects rewritten, and how many; None if
    the text does not parse on Python 3.12 either."""
    try:
        module = cst.parse_module(text, config=cst.PartialParserConfig(python_version="3.12"))
    except (cst.ParserSyntaxError, ValueError, RecursionError):
        return None
    rewriter = _Rewriter(module)
    rewritten = cst.MetadataWrapper(module, unsafe_skip_copy=True).visit(rewriter)
    return rewritten.code, rewriter.count


class _Rewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (ParentNodeProvider,)

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.count = 0

    def leave_FormattedString(self, original: cst.FormattedString,
                              updated: cst.FormattedString) -> cst.BaseExpression:
        if isinstance(self.get_metadata(ParentNodeProvider, original), cst.ConcatenatedString):
            return updated  # the whole concatenation is rewritten at once
        return self._rewritten(updated)

    def leave_ConcatenatedString(self, original: cst.ConcatenatedString,
                                 updated: cst.ConcatenatedString) -> cst.BaseExpression:
        if isinstance(self.get_metadata(ParentNodeProvider, original), cst.ConcatenatedString):
            return updated
        parts = list(_flattened(updated))
        rewritten = [self._rewritten(part) if isinstance(part, cst.FormattedString) else part
                     for part in parts]
        if all(new is old for new, old in zip(rewritten, parts, strict=True)):
            return updated
        if not any(isinstance(new, cst.Call) for new in rewritten):  # quotes swapped: still strings
            for old, new in zip(parts, rewritten, strict=True):
                if new is not old:
                    updated = cast(cst.ConcatenatedString, updated.deep_replace(old, new))
            return updated
        # `"a" f"{x}"` concatenated with a call would read `("a" "{}").format(x)`: add instead,
        # keeping the line breaks between the parts (the parentheses make them legal)
        chain: cst.BaseExpression = rewritten[0].with_changes(lpar=[], rpar=[])
        for part, between in zip(rewritten[1:], _junctions(updated), strict=True):
            chain = cst.BinaryOperation(left=chain, right=part.with_changes(lpar=[], rpar=[]),
                                        operator=cst.Add(whitespace_before=between))
        return chain.with_changes(lpar=updated.lpar or [cst.LeftParen()],
                                  rpar=updated.rpar or [cst.RightParen()])

    def _rewritten(self, node: cst.FormattedString) -> cst.BaseExpression:
        code = self.module.code_for_node(node)
        if _compiles(code):
            return node
        self.count += 1
        swapped = swap_field_quotes(code)  # the smaller edit, when other quotes are all it needs
        if "\n" not in swapped and _compiles(swapped):
            return cst.parse_expression(swapped)
        args: list[cst.Arg] = []
        template = _template(node.parts, args, self.module)
        prefix = "".join(char for char in node.prefix if char not in "fF")
        literal = cst.SimpleString(f"{prefix}{node.quote}{template}{node.quote}")
        return cst.Call(func=cst.Attribute(value=literal, attr=cst.Name("format")), args=args,
                        lpar=node.lpar, rpar=node.rpar)


def _flattened(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.ConcatenatedString):
        return [*_flattened(node.left), *_flattened(node.right)]
    return [node]


def _junctions(node: cst.BaseExpression) -> list[cst.BaseParenthesizableWhitespace]:
    """The whitespace between consecutive parts of a concatenation, in order."""
    if not isinstance(node, cst.ConcatenatedString):
        return []
    return [*_junctions(node.left), node.whitespace_between, *_junctions(node.right)]


def _template(parts: Sequence[cst.BaseFormattedStringContent], args: list[cst.Arg],
              module: cst.Module) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, cst.FormattedStringText):
            out.append(part.value)
            continue
        assert isinstance(part, cst.FormattedStringExpression)
        conversion = part.conversion
        # `{x=}`: the expression's text, then its repr unless a spec says otherwise
        if part.equal is not None:
            source = module.code_for_node(part.expression)
            out.append((source + module.code_for_node(part.equal)).replace("{", "{{").replace("}", "}}"))
            if conversion is None and part.format_spec is None:
                conversion = "r"
        field = "{" + (f"!{conversion}" if conversion else "")
        args.append(cst.Arg(value=part.expression))  # LibCST puts the commas between them
        if part.format_spec is not None:
            field += ":" + _template(part.format_spec, args, module)
        out.append(field + "}")
    return "".join(out)


def _compiles(expression: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(f"(\n{expression}\n)", "<f-string>", "eval")
    except (SyntaxError, ValueError):
        return False
    return True


def swap_field_quotes(line: str) -> str:
    """`f"{x["k"]}"` -> `f"{x['k']}"`: inner quotes of replacement fields take the other kind."""
    out, i = [], 0
    while i < len(line):
        match = re.match(r"[rRbB]?[fF][rRbB]?(\"|')", line[i:])
        if not match:
            out.append(line[i])
            i += 1
            continue
        quote = match.group(1)
        other = "'" if quote == '"' else '"'
        out.append(match.group(0))
        i += len(match.group(0))
        depth = 0
        while i < len(line):
            char = line[i]
            if char == "{":
                depth += 1
            elif char == "}":
                depth = max(depth - 1, 0)
            elif char == quote and depth == 0:
                out.append(char)
                i += 1
                break
            elif char == quote and depth > 0:
                char = other
            out.append(char)
            i += 1
    return "".join(out)
