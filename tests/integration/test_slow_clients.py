"""`serve` as a city runs it (gunicorn behind the nginx that `serve` starts): slow and idle clients cannot starve
the worker threads, and nginx closes a request whose headers do not arrive in time. Loopback only, bounded."""

from __future__ import annotations

import os
import socket
import time

import pytest

from bench.slow_clients import attack
from cockpit.commands._proxy import find_nginx
from tests.integration.test_production_server import SECRET, base_env, request, serving

pytestmark = pytest.mark.skipif(find_nginx() is None and os.environ.get("CI") != "true",
                                reason="nginx not installed (./dev.sh test installs nginx-light as root)")

WORKERS, THREADS = 1, 8


def test_slow_clients_from_many_addresses_do_not_delay_a_normal_visitor(tmp_path):
    env = base_env(f"sqlite:///{tmp_path / 'c.db'}", COCKPIT_SECRET_KEY=SECRET, COCKPIT_SCHEDULER="false",
                   COCKPIT_LOAD_DEMO="true")
    with serving(env, "--workers", str(WORKERS), "--threads", str(THREADS), log=tmp_path / "serve.log") as port:
        for _ in range(3):  # warm: the first renders fill the caches
            assert request(port, "GET", "/")[0] == 200
        connections = WORKERS * THREADS * 4  # 4 times as many slow sockets as the server has threads
        probe = attack(port, connections, seconds=12, timeout=5)
    assert probe.opened == connections
    assert not probe.failures, probe.failures
    assert len(probe.times) >= 10  # asked every half second throughout the attack
    assert max(probe.times) < 1.0, sorted(probe.times)[-5:]


def test_headers_that_do_not_arrive_in_time_end_the_connection(tmp_path):
    env = base_env(f"sqlite:///{tmp_path / 'c.db'}", COCKPIT_SCHEDULER="false", COCKPIT_CLIENT_TIMEOUT="2")
    with serving(env, log=tmp_path / "serve.log") as port:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = None
        for n in range(8):  # a header line every second: never done within the 2 s allowed
            try:
                sock.sendall(f"X-Slow-{n}: {n}\r\n".encode())
            except OSError:
                closed = time.monotonic() - started
                break
            time.sleep(1)
        if closed is None:
            try:
                closed = time.monotonic() - started if sock.recv(1024) == b"" else None
            except OSError:
                closed = time.monotonic() - started
        sock.close()
        assert closed is not None and closed < 6, closed
        assert request(port, "GET", "/")[0] == 200  # and the server goes on answering
