"""The spinner of long commands shows the phase the library last logged, and only on a terminal."""

from __future__ import annotations

import io
import logging
import time

from rich.console import Console

from testcanon.output.progress import PhaseStatus


def _terminal(stream: io.StringIO) -> Console:
    return Console(file=stream, force_terminal=True, width=120)


def test_the_spinner_follows_the_newest_logged_phase_and_leaves_logging_as_it_was() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("testcanon")
    level, handlers = logger.level, list(logger.handlers)
    with PhaseStatus("canon migrate: verifying", delay=0, console=_terminal(stream)):
        logging.getLogger("testcanon.migrate.prove").info("collecting %d file(s)", 3)
        time.sleep(0.3)
    assert "collecting 3 file(s)" in stream.getvalue()
    assert (logger.level, logger.handlers) == (level, handlers)


def test_nothing_is_drawn_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    with PhaseStatus("verifying", delay=0, console=Console(file=stream, force_terminal=False)):
        logging.getLogger("testcanon.migrate.prove").info("collecting")
        time.sleep(0.2)
    assert stream.getvalue() == ""
