"""`OutputFormat`: every value any command's `--format` takes, as one closed enum. Each command
accepts the subset it can render (`format_option`), so `--help` and a wrong value name exactly
those; a new format is one member here and one renderer next to the data it renders."""

from __future__ import annotations

from enum import Enum
from typing import Any


class OutputFormat(str, Enum):
    text = "text"  # for people (rich)
    json = "json"  # one document, the envelope of `output/envelope.py` for check and scan
    jsonl = "jsonl"  # JSON Lines: one finding per line, for streaming tools (`output/jsonl.py`)
    sarif = "sarif"  # SARIF 2.1.0, for code-scanning dashboards
    github = "github"  # GitHub Actions annotations
    markdown = "markdown"  # a table to paste into a pull request or an issue


# What each family of commands renders.
FINDINGS = (OutputFormat.text, OutputFormat.json, OutputFormat.jsonl, OutputFormat.sarif, OutputFormat.github)
SCAN = (OutputFormat.text, OutputFormat.json, OutputFormat.sarif, OutputFormat.github)
TEXT_OR_JSON = (OutputFormat.text, OutputFormat.json)
AUDIT = (OutputFormat.text, OutputFormat.json, OutputFormat.markdown)


def format_option(accepted: tuple[OutputFormat, ...], *, help: str = "Output format.") -> Any:
    """The `--format` option of a command that renders `accepted` (default text): the value is
    the `OutputFormat` member; any other value is a usage error naming the accepted ones."""
    import typer

    names = [f.value for f in accepted]

    def parse(value: str | OutputFormat) -> OutputFormat:
        if isinstance(value, OutputFormat):
            return value
        if value not in names:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, names))}.")
        return OutputFormat(value)

    return typer.Option(OutputFormat.text.value, "--format", parser=parse, metavar=f"[{'|'.join(names)}]",
                        autocompletion=lambda: names, help=help)
