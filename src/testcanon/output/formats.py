"""`OutputFormat`: every value any command's `--format` takes, as one closed set. The
document formats a command renders itself (text, json, markdown) are named here; the formats
that write a list of findings are the modules of `output/emitters/`, one file each. Each
command accepts the subset it can render (`format_option`), so `--help` and a wrong value name
exactly those."""

from __future__ import annotations

from typing import Any, ClassVar

from testcanon.output.emitters import Emitter, emitter, emitter_names

_DOCUMENTS = ("text", "json", "markdown")


class OutputFormat(str):
    """A `--format` value. One instance per name (compare with `is`); a name that is neither a
    document format nor an emitter is a ValueError, so the set stays closed."""

    _instances: ClassVar[dict[str, OutputFormat]] = {}
    text: ClassVar[OutputFormat]  # for people (rich)
    json: ClassVar[OutputFormat]  # one document on the envelope of `output/envelope.py`
    markdown: ClassVar[OutputFormat]  # a table to paste into a pull request or an issue

    def __new__(cls, name: str) -> OutputFormat:
        if name in cls._instances:
            return cls._instances[name]
        if name not in _DOCUMENTS and name not in emitter_names():
            raise ValueError(f"{name!r} is not an output format")
        instance = cls._instances[name] = super().__new__(cls, name)
        return instance

    @property
    def value(self) -> str:
        return str(self)

    @property
    def emitter(self) -> Emitter | None:
        """The module that writes this format from a list of findings (None: a document format)."""
        return emitter(self) if self in emitter_names() else None

    def __repr__(self) -> str:
        return f"OutputFormat.{self}"


OutputFormat.text = OutputFormat("text")
OutputFormat.json = OutputFormat("json")
OutputFormat.markdown = OutputFormat("markdown")

# What each family of commands renders.
EMITTERS = tuple(OutputFormat(name) for name in emitter_names())
FINDINGS = (OutputFormat.text, OutputFormat.json, *EMITTERS)  # check and scan
TEXT_OR_JSON = (OutputFormat.text, OutputFormat.json)
AUDIT = (OutputFormat.text, OutputFormat.json, OutputFormat.markdown)


def format_option(accepted: tuple[OutputFormat, ...], *, help: str = "Output format.") -> Any:
    """The `--format` option (`--output-format`, ruff's name, is the same option) of a command
    that renders `accepted` (default text): the value is the `OutputFormat`; any other value is
    a usage error naming the accepted ones."""
    import typer

    names = [f.value for f in accepted]

    def parse(value: str) -> OutputFormat:
        if isinstance(value, OutputFormat):
            return value
        if value not in names:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, names))}.")
        return OutputFormat(value)

    return typer.Option(OutputFormat.text.value, "--format", "--output-format", parser=parse,
                        metavar=f"[{'|'.join(names)}]", autocompletion=lambda: names, help=help)
