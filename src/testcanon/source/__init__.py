"""Source discovery: which files of a repository a command looks at, and in which order."""

from testcanon.source.discovery import SourceFile, discover
from testcanon.source.globs import GlobSet

__all__ = ["GlobSet", "SourceFile", "discover"]
