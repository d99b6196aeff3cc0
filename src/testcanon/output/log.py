"""`canon -v`: what a long command is doing, on stderr, with the seconds since it started.

Modules log through `logging.getLogger(__name__)` (silent unless asked); `-v` shows the phases
of long work (what is collected, how many pytest runs, what is retried and why), `-vv` every
pytest run as well.
"""

from __future__ import annotations

import logging
import sys


class _Elapsed(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"canon [{record.relativeCreated / 1000:7.1f}s] {record.getMessage()}"


def configure(verbosity: int) -> None:
    """Show testcanon's own log records on stderr: INFO for `-v`, DEBUG for `-vv`."""
    if verbosity <= 0:
        return
    logger = logging.getLogger("testcanon")
    level = logging.DEBUG if verbosity > 1 else logging.INFO
    if any(isinstance(handler.formatter, _Elapsed) for handler in logger.handlers):  # `canon -v collect -v`
        logger.setLevel(min(logger.level, level))
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Elapsed())
    logger.addHandler(handler)
    logger.setLevel(level)
