"""Tools an agent can call."""

from chatapp.tools.calculator import calculate
from chatapp.tools.lookup import DocumentIndex

__all__ = ["DocumentIndex", "calculate"]
