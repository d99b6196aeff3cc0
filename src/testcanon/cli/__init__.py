"""The `canon` command line: a thin typer shell over the capability packages.

Each module in this package is one command (or command group) and exposes
`register(app)`. Modules are found automatically, so a new command is one new file.
Command modules import their capability lazily, inside the command, so `canon --help`
stays fast.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import signal
import sys
import threading
from types import FrameType

import typer

from testcanon.__about__ import __version__
from testcanon.errors import CanonError
from testcanon.runner.process import end_children

# The order commands appear in `canon --help`; modules not named here follow alphabetically.
ORDER = ("scan", "check", "rule", "fix", "migrate", "undo", "run", "collect", "shards",
         "perf", "coverage", "events", "journey", "load", "audit", "report", "init")

app = typer.Typer(
    name="canon",
    help="Bring a sprawling Python test suite back under one canonical way of testing.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"testcanon {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True,
        help="Say what long work is doing, on stderr (-vv: every pytest run too).",
    ),
) -> None:
    """Bring a sprawling Python test suite back under one canonical way of testing."""
    if verbose:
        from testcanon.output.log import configure

        configure(verbose)


def _register_commands() -> None:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    # `canon check ...` needs only the check module: typer builds every registered command's
    # parameters up front (through pydantic in typer 0.20+), which `canon check --help` and
    # every pre-commit run would otherwise pay for. Commands not named after their module
    # (journey, load) and bare `canon`/`canon --help` register everything.
    from testcanon.entry import invoked_command

    if invoked_command in names:  # set only when the console script runs
        names = [invoked_command]
    rank = {name: i for i, name in enumerate(ORDER)}
    for name in sorted(names, key=lambda n: (rank.get(n, len(ORDER)), n)):
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(app)


_register_commands()


# Options whose value may be left out (`canon run --affected`): the default stands in.
_OPTIONAL_VALUES = {"--affected": "auto"}


def _fill_optional_values(argv: list[str]) -> list[str]:
    out = []
    for index, arg in enumerate(argv):
        out.append(arg)
        if arg in _OPTIONAL_VALUES:
            following = argv[index + 1] if index + 1 < len(argv) else None
            if following is None or following.startswith("-"):
                out.append(_OPTIONAL_VALUES[arg])
    return out


class Terminated(BaseException):
    """SIGTERM (`timeout`, a CI job cancelled, `kill`), unwound as Ctrl-C is, past every `except
    Exception`: the pytest process group is ended, temporary copies removed, the journal lock
    released. Left to the default, SIGTERM ends canon alone, and the pytest it started in its
    own session runs on. Not a KeyboardInterrupt: typer turns that into a silent exit 130."""


def terminate_as_interrupt() -> None:
    """SIGTERM raises `Terminated`; it and Ctrl-C first end the children canon waits on in
    other threads (`end_children`): each in its own session, they hear neither."""
    if threading.current_thread() is not threading.main_thread():
        return  # canon called from another program's thread: its signals are its own
    owner = os.getpid()

    def on_sigterm(signum: int, _frame: object) -> None:
        if os.getpid() != owner:  # a forked worker inherited the handler: end as SIGTERM ends it
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        end_children()
        raise Terminated

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == owner:
            end_children()
        signal.default_int_handler(signum, frame)  # raises KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when the shell ignores it
        signal.signal(signal.SIGINT, on_interrupt)


def main() -> None:
    """Console entry point: run the app, turning expected errors into one line and exit 2."""
    from testcanon.state import enforce_project_roots

    enforce_project_roots()  # a path outside any project is read, never written
    terminate_as_interrupt()
    try:
        app(args=_fill_optional_values(sys.argv[1:]))
    except CanonError as exc:
        typer.echo(f"canon: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        if exc.errno is None:  # not the environment's answer to a system call: a bug, show it
            raise
        # A read-only project, a full disk, a directory where a file is wanted: one line, exit 2.
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"canon: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)
    except Terminated:
        typer.echo("canon: terminated", err=True)
        sys.exit(128 + signal.SIGTERM)
    except KeyboardInterrupt:
        typer.echo("canon: interrupted", err=True)
        sys.exit(130)
