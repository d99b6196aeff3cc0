"""A progress bar that only appears on a terminal and only when there is real work left."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Fewer files than this left to do finish before a bar would be worth drawing.
_MIN_REMAINING = 300


class LazyProgress:
    """Callable `(done, total)`; draws a transient bar once enough work remains."""

    def __init__(self, console: Console, description: str, *, min_remaining: int = _MIN_REMAINING) -> None:
        self._console = console
        self._min_remaining = min_remaining
        self._description = description
        self._progress: Progress | None = None
        self._task = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            if not self._console.is_terminal or total - done < self._min_remaining:
                return
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=self._console, transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=total)
        self._progress.update(self._task, completed=done)  # type: ignore[arg-type]

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LazyStatus:
    """A transient spinner with the elapsed time on stderr, for work that reports no steps:
    drawn only on a terminal and only once the work has taken `delay` seconds."""

    def __init__(self, description: str, *, delay: float = 1.0, console: Console | None = None) -> None:
        import threading

        self._console = console or Console(stderr=True)
        self._description = description
        self._delay = delay
        self._lock = threading.Lock()
        self._status = None
        self._timer: threading.Timer | None = None
        self._closed = False

    def _start(self) -> None:
        from rich.status import Status

        with self._lock:
            if self._closed:
                return
            self._status = Status(f"{self._description} …", console=self._console)
            self._status.start()

    def __enter__(self) -> LazyStatus:
        import threading

        if self._console.is_terminal:
            self._timer = threading.Timer(self._delay, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def update(self, description: str) -> None:
        """Say what the work is doing now (the spinner shows it once it is drawn)."""
        with self._lock:
            self._description = description
            if self._status is not None:
                self._status.update(f"{description} …")

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._status is not None:
                self._status.stop()


class PhaseStatus(LazyStatus):
    """A `LazyStatus` that shows the newest phase testcanon logs at INFO (`canon -v`'s lines),
    for commands whose work runs in library code that only logs. Under `-v` those lines are
    printed already, so no spinner is drawn over them."""

    def __enter__(self) -> PhaseStatus:
        logger = logging.getLogger("testcanon")
        self._follow: _FollowPhases | None = None
        printed = bool(logger.handlers) and logger.getEffectiveLevel() <= logging.INFO
        if printed or not self._console.is_terminal:
            return self
        self._follow, self._level = _FollowPhases(self.update), logger.level
        logger.addHandler(self._follow)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
        super().__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._follow is not None:
            logger = logging.getLogger("testcanon")
            logger.removeHandler(self._follow)
            logger.setLevel(self._level)
        super().__exit__(*exc)


class _FollowPhases(logging.Handler):
    def __init__(self, show: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self._show = show

    def emit(self, record: logging.LogRecord) -> None:
        self._show(record.getMessage())
