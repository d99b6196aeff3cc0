"""The output formats every reporting command accepts, as one enum for the CLI."""

from __future__ import annotations

from enum import Enum


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class TextOrJson(str, Enum):
    """`--format` of the commands that print either for people or for programs."""

    text = "text"
    json = "json"
