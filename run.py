"""SmartCity Cockpit command line: `python run.py` serves the cockpit, `python run.py --help` lists every command.

For gunicorn, `run:server` is the WSGI app (then run the scheduler separately: `python run.py scheduler`).
"""

from __future__ import annotations

import argparse
import logging
import sys

from cockpit.cli import main

log = logging.getLogger("cockpit.serve")


def configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="interface to listen on (default: COCKPIT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: COCKPIT_PORT or 8050)")
    parser.add_argument("--no-scheduler", action="store_true", help="serve only; run `run.py scheduler` elsewhere")


def serve(args: argparse.Namespace) -> int:
    """Migrate, load the demo data on first start, start the in-process scheduler, serve the web cockpit."""
    from cockpit.config import load_settings
    from cockpit.jobs.scheduler import build_scheduler
    from cockpit.runtime import open_cockpit
    from layouts.app import create_app

    settings = load_settings()
    cockpit = open_cockpit(settings)
    cockpit.load_demo_if_empty()
    scheduler = None
    if settings.scheduler and not args.no_scheduler:
        scheduler = build_scheduler(cockpit.ingestor, cockpit.sources)
        scheduler.start()
        log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
    app = create_app(cockpit)
    host, port = args.host or settings.host, args.port or settings.port
    log.info("serving on http://%s:%s/", host, port)
    try:
        app.run(host=host, port=port, debug=False, threaded=True)
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
    return 0


SERVE = ("serve", "serve the web cockpit with the in-process scheduler (default command)", configure_serve, serve)

if __name__ == "__main__":
    sys.exit(main(extra=(SERVE,), default="serve"))
else:  # imported by a WSGI server: build the app once
    from layouts.app import create_app

    app = create_app()
    server = app.server
