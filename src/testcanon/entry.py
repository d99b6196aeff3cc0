"""The `canon` console script: the fast answers first, then the typer app.

`canon --version` needs nothing but the version string, so it never imports typer or rich
(ruff answers it in milliseconds, pytest in ~100 ms; loading the whole app costs several
times that). A command whose optional dependencies are missing gets one line naming the
extra to install, and exit 2, never a traceback.
"""

from __future__ import annotations

import sys

# top-level module -> the extra of testcanon that installs it
EXTRA_OF = {
    "typer": "cli", "click": "cli", "rich": "cli", "yaml": "cli", "tomlkit": "cli", "packaging": "cli",
    "xdist": "cli", "pytest_timeout": "cli",
    "libcst": "migrate", "pyflakes": "migrate",
    "coverage": "coverage", "pytest_cov": "coverage",
    "plotly": "report",
    "websockets": "events", "httpx": "events", "ag_ui": "events",
    "locust": "load",
}


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The one-line message for a missing optional dependency, or None if it is not one."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRA_OF.get(top)
    if extra is None:
        return None
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), "")
    what = f"`canon {command}`" if command and extra != "cli" else "the canon command line"
    return (f"canon: error: {what} needs testcanon[{extra}] (no module named {top!r}): "
            f"pip install 'testcanon[{extra}]'")


# The command the console script was asked for, so testcanon.cli registers only its module.
invoked_command: str | None = None

# ruff's spellings accepted everywhere: `--output-format X` is `--format X`
ALIASES = {"--output-format": "--format"}


def _aliased(argv: list[str]) -> list[str]:
    out = []
    for arg in argv:
        if arg == "--":
            out += argv[len(out):]
            break
        name, sep, value = arg.partition("=")
        out.append(ALIASES.get(name, name) + sep + value if name in ALIASES else arg)
    return out


def main() -> None:
    sys.argv[1:] = argv = _aliased(sys.argv[1:])
    if argv in (["--version"], ["-V"]):
        from testcanon.__about__ import __version__

        print(f"testcanon {__version__}")
        return
    global invoked_command
    invoked_command = next((a for a in argv if not a.startswith("-")), None)
    try:
        from testcanon.cli import main as run

        run()
    except ModuleNotFoundError as exc:
        message = missing_extra(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
