"""`canon report`: the static dashboard of metrics, trends, worst folders and slow tests."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    html_dir: Path = typer.Option(Path(".testcanon/report"), "--html", file_okay=False,
                                  help="Output folder."),
    path: Path = typer.Option(Path("."), "--project", help="Project path."),
    serve: bool = typer.Option(False, "--serve", help="Serve the dashboard on localhost."),
    port: int = typer.Option(8765, "--port", help="Port for --serve."),
    fresh: bool = typer.Option(False, "--fresh", help="Run a new audit first."),
) -> None:
    """Write the self-contained HTML dashboard (opens from disk; --serve for a browser)."""
    from testcanon.audit.store import latest_snapshot
    from testcanon.config import load_project
    from testcanon.report.data import gather
    from testcanon.report.html import write_dashboard

    project = load_project(path)
    if fresh or latest_snapshot(project.root) is None:
        from testcanon.audit import measure
        from testcanon.audit.store import save, with_previous

        save(with_previous(measure(project), project.root), project.root, command="canon report")
    dashboard = gather(project.root)
    assert dashboard is not None  # an audit was just stored
    out = html_dir if html_dir.is_absolute() else Path.cwd() / html_dir
    pages = write_dashboard(dashboard, out)
    typer.echo(f"dashboard: {pages[0]} ({len(pages)} pages)")
    if serve:
        import functools
        import http.server

        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
        with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
            typer.echo(f"serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
            server.serve_forever()
