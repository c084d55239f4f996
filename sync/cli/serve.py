"""``okr serve``: the sync service under waitress, with the nightly run if scheduled."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from sync.cli.options import config_option
from sync.config import load_config

#: waitress worker threads; the API is I/O-light, the store does the waiting.
THREADS = 16


@click.command()
@config_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8750,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--threads",
    default=THREADS,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests served at once (per worker).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes sharing the port (POSIX only).",
)
def serve(config: Path | None, host: str, port: int, threads: int, workers: int) -> int:
    """Serve the API, the add-ins' functions and the dashboard (waitress).

    Runs the nightly consolidation inside the service when okr.toml has
    [schedule] nightly = "02:30" (in the first worker only). Stop it with
    Ctrl+C or SIGTERM.

    Example: okr serve --config okr.toml --host 0.0.0.0 --port 8750 --workers 2
    """
    import waitress

    from sync.service import create_app
    from sync.service.heap import settle
    from sync.service.prefork import listen, run_workers, serve_until_stopped
    from sync.service.scheduler import start_scheduler

    if workers > 1 and not hasattr(os, "fork"):
        raise click.UsageError("--workers above 1 needs fork (Linux, macOS); use one worker here")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    ws = load_config(config)
    app = create_app(ws)
    settle()  # after the app is built and before any fork: the workers share it unscanned
    if workers > 1:
        socks = listen(host, port, workers)
        click.echo(
            f"okr serve: {ws.organisation} on http://{host}:{socks[0].getsockname()[1]}/ "
            f"({workers} workers; Ctrl+C stops)",
            err=True,
        )
        return run_workers(app, socks, workers, threads, start_scheduler)
    scheduler = start_scheduler(app)
    server = waitress.create_server(app, host=host, port=port, threads=threads, ident="okr")
    click.echo(
        f"okr serve: {ws.organisation} on http://{host}:{server.effective_port}/ (Ctrl+C stops)",
        err=True,
    )
    return serve_until_stopped(server, scheduler)
