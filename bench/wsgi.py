"""The cockpit's WSGI app plus the trivial baseline route `/_bench/ping`, for gunicorn in the benchmarks:
`gunicorn bench.wsgi:server` (settings from COCKPIT_* variables, as `run:server`)."""

from bench.load import create_app_with_ping
from layouts.app import create_app

server = create_app_with_ping(create_app, None).server
