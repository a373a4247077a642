"""SmartCity Cockpit command line: `python run.py` serves the cockpit, `python run.py --help` lists every command.

`serve` runs gunicorn (COCKPIT_WORKERS processes with COCKPIT_THREADS threads each) behind an nginx that it
starts itself (whole requests buffered before a worker thread sees them: slow clients cannot starve the
threads; COCKPIT_PROXY=false only behind a proxy that does the same, see docs/security.md) and, unless switched off,
the ingest scheduler in the gunicorn master process, guarded by a lease in the database so that exactly one
scheduler runs across all processes and hosts (`cockpit.jobs.leader`); `serve --dev` runs Dash's development
server instead. For an own gunicorn command line, `run:server` is the WSGI app (then run the scheduler
separately: `python run.py scheduler`).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import sys
import threading

from cockpit.cli import main

log = logging.getLogger("cockpit.serve")


def configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="interface to listen on (default: COCKPIT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: COCKPIT_PORT or 8050)")
    parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: COCKPIT_WORKERS or 1)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: COCKPIT_THREADS or 8)")
    parser.add_argument("--no-scheduler", action="store_true", help="serve only; run `run.py scheduler` elsewhere")
    parser.add_argument("--dev", action="store_true", help="Dash's development server (one process) instead of gunicorn")


def serve(args: argparse.Namespace) -> int:
    """Check the settings, migrate, load the demo data on first start, start the scheduler (lease holder only),
    serve the web cockpit with gunicorn (or Dash's development server with --dev)."""
    from cockpit.accounts.checks import settings_problems
    from cockpit.commands._proxy import find_nginx
    from cockpit.config import load_settings
    from cockpit.jobs.leader import LeaderScheduler
    from cockpit.reports.schedule import add_report_jobs
    from cockpit.runtime import build_scheduler, open_cockpit

    overrides = {k: v for k, v in (("workers", args.workers), ("threads", args.threads)) if v is not None}
    settings = load_settings(**overrides)
    problems = settings_problems(settings)
    host, port = args.host or settings.host, args.port or settings.port
    if not args.dev:
        problems += _production_problems(settings, host)
        if settings.proxy and not find_nginx():
            problems.append("nginx not found: install the Debian package nginx-light (`./dev.sh run` does as root), "
                            "or set COCKPIT_PROXY=false only behind a proxy that buffers whole requests "
                            "(docs/security.md)")
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    # this process runs the scheduler (and --dev's one-process server): the primary only; gunicorn's workers open
    # their own cockpit below, with the read replica when COCKPIT_DATABASE_READ_URL is set
    cockpit = open_cockpit(settings, replica=False)
    cockpit.load_demo_if_empty()
    leader = None
    if settings.scheduler and not args.no_scheduler:
        leader = LeaderScheduler(cockpit.store, lambda: add_report_jobs(
            build_scheduler(cockpit.ingestor, cockpit.sources), cockpit))
        leader.start()
    try:
        if args.dev:
            _serve_dev(cockpit, host, port)
        else:
            _serve_gunicorn(cockpit, settings, host, port)
    finally:
        if leader:
            leader.shutdown()
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def _production_problems(settings, host: str) -> list[str]:
    """COCKPIT_PUBLIC_URL: absolute links (API, DCAT, embeds) are never built from the request's Host header.
    Listening on loopback only (behind a proxy on the same machine, or a try-out), the listening address stands
    in for it (with a warning); served to the network, it is required."""
    if settings.public_url and settings.public_url.startswith("http"):
        return []
    if _loopback(host):
        return []
    return ["COCKPIT_PUBLIC_URL: required when serving beyond this machine (absolute links in the API, DCAT and "
            "embeds are never built from the Host header), e.g. https://cockpit.gera.de"]


def _with_public_url(settings, host: str, port: int):
    if settings.public_url and settings.public_url.startswith("http"):
        return settings
    address = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    log.warning("COCKPIT_PUBLIC_URL is not set: links in the API, DCAT and embeds use %s; set it to the public "
                "address", address)
    return settings.model_copy(update={"public_url": address})


def _serve_dev(cockpit, host: str, port: int) -> None:
    from werkzeug.serving import WSGIRequestHandler

    from layouts.app import create_app, freeze_startup_objects

    class Handler(WSGIRequestHandler):
        def version_string(self) -> str:  # no "Werkzeug/x Python/y" banner
            return "cockpit"

    log.info("development server on http://%s:%s/ (use `serve` without --dev in production)", host, port)
    app = create_app(cockpit)
    freeze_startup_objects()
    app.run(host=host, port=port, debug=False, threaded=True, request_handler=Handler)


def _serve_gunicorn(cockpit, settings, host: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    from cockpit.commands._access_log import gunicorn_log_options
    from cockpit.commands._proxy import Proxy, find_nginx

    settings = _with_public_url(settings, host, port)
    proxy = None
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if settings.proxy:
        proxy = Proxy({"host": host, "port": port, "trusted_proxies": settings.trusted_proxies,
                       "client_timeout": settings.client_timeout,
                       "connections_per_address": settings.connections_per_address,
                       "login_rate": settings.login_rate, "worker_processes": min(2, settings.workers)},
                      find_nginx())
        problem = proxy.check()
        if problem:
            proxy.stop()
            raise SystemExit(f"error: nginx refused its configuration: {problem}")
        bind = f"unix:{proxy.socket}"
        # nginx is one more proxy in front of the app: it appends the address it sees to X-Forwarded-For
        settings = settings.model_copy(update={"trusted_proxies": settings.trusted_proxies + 1})
    stopping = threading.Event()

    def when_ready(_server):
        if proxy is None:
            return
        proxy.start()

        def watch():  # nginx gone (killed, crashed): stop gunicorn too rather than serve nobody
            proxy.process.wait()
            if not stopping.is_set():
                log.error("nginx exited (status %s); stopping", proxy.process.returncode)
                os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, name="cockpit-nginx-watch", daemon=True).start()

    def on_exit(_server):
        stopping.set()
        if proxy is not None:
            proxy.stop()

    class Cockpit(BaseApplication):
        def load_config(self):
            options = {
                "bind": bind,
                "workers": settings.workers,
                "threads": settings.threads,
                "worker_class": "gthread",
                "timeout": 120,
                "graceful_timeout": 20,
                "keepalive": 5,
                "limit_request_line": 8190,
                "forwarded_allow_ips": "",  # X-Forwarded-* only through ProxyFix (COCKPIT_TRUSTED_PROXIES)
                **gunicorn_log_options(settings.access_log),  # request fields escaped in the access log
                "errorlog": "-",
                "loglevel": settings.log_level.lower(),
                "proc_name": "cockpit",
                "post_fork": lambda _server, _worker: cockpit.store.engine.dispose(close=False),
                "when_ready": when_ready,
                "on_exit": on_exit,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):  # in each worker, after the fork: its own engine and app
            from cockpit.runtime import open_cockpit
            from layouts.app import create_app, freeze_startup_objects

            server = create_app(open_cockpit(settings, migrate=False)).server
            freeze_startup_objects()
            return server

    log.info("serving on http://%s:%s/ with %d workers x %d threads%s", host, port, settings.workers,
             settings.threads, " behind nginx" if proxy else " (no proxy: COCKPIT_PROXY=false)")
    try:
        Cockpit().run()
    finally:
        on_exit(None)


SERVE = ("serve", "serve the web cockpit (gunicorn) with the ingest scheduler (default command)", configure_serve,
         serve)

if __name__ == "__main__":
    sys.exit(main(extra=(SERVE,), default="serve"))
else:  # imported by a WSGI server: build the app once
    from layouts.app import create_app, freeze_startup_objects

    app = create_app()
    server = app.server
    freeze_startup_objects()
