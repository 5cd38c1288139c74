"""``verify serve``: the HTTP JSON API over a workspace (see docs/server.md)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; put TLS in front).")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--desk-roots", default=None, metavar="DIR[:DIR...]",
              help="Folders admins may ingest from (default: $VERIFY_DESK_ROOTS; none: off).")
@click.option("--write-wait", type=click.FloatRange(min=0), default=120.0, show_default=True,
              help="Seconds a write waits for the writer lock before answering 503.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, desk_roots: str | None, write_wait: float,
          log_level: str) -> None:
    """Serve the workspace as an HTTP JSON API (OpenAPI docs at /docs).

    This process becomes the workspace's one writer: run ingests, reviews and ratings
    through the API while it runs. Every request needs a token from `verify users add`.
    """
    import os

    import uvicorn

    # the server fetches URLs for its users: not from its own network unless told to
    os.environ.setdefault("VERIFY_FETCH_PRIVATE", "0")

    from verify.cli import open_workspace
    from verify.config import desk_roots as parse_roots
    from verify.server import create_app

    roots = parse_roots(desk_roots) if desk_roots is not None else None
    ws = open_workspace(ctx, existing=True)
    if not ws.users.list_users():
        click.echo("warning: this workspace has no users yet; add one with "
                   "`verify users add NAME --role admin` (stop the server first)", err=True)
    app = create_app(ws, desk_roots=roots, write_wait_s=write_wait, close_workspace=True)
    click.echo(f"serving {ws.path} on http://{host}:{port} (API docs: /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, workers=1)
