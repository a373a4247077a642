"""Slow clients against a server on loopback: sockets that send a header line every 2 s, that send a body one
chunk every 2 s, and that connect and send nothing, from the addresses 127.0.0.2-127.0.0.30 (Linux routes all of
127/8 to lo); meanwhile one normal client asks for `/` from 127.0.0.1 and the time of each answer is kept.
Used by tests/integration/test_slow_clients.py; run as a script it measures `serve` with and without its nginx:

    python -m bench.slow_clients --threads 8 --workers 1 --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

ADDRESSES = [f"127.0.0.{n}" for n in range(2, 31)]
KINDS = ("header", "body", "idle")


@dataclass
class Probe:
    times: list[float] = field(default_factory=list)  # seconds per answered request
    failures: list[str] = field(default_factory=list)
    opened: int = 0  # slow sockets that connected


def _slow_socket(address: str, port: int, kind: str, stop: threading.Event, probe: Probe, lock: threading.Lock):
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((address, 0))
        sock.settimeout(5)
        sock.connect(("127.0.0.1", port))
    except OSError:
        return
    with lock:
        probe.opened += 1
    try:
        n = 0
        if kind == "header":
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        elif kind == "body":
            sock.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-"
                         b"urlencoded\r\nContent-Length: 100000\r\n\r\nusername=")
        while not stop.wait(2.0):
            n += 1
            try:
                if kind == "header":
                    sock.sendall(f"X-Slow-{n}: {n}\r\n".encode())
                elif kind == "body":
                    sock.sendall(b"a")
            except OSError:  # the server closed it (a timeout): open another one, as an attacker would
                sock.close()
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.bind((address, 0))
                sock.settimeout(5)
                try:
                    sock.connect(("127.0.0.1", port))
                except OSError:
                    continue
    finally:
        sock.close()


def _normal_client(port: int, stop: threading.Event, probe: Probe, timeout: float):
    while not stop.is_set():
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            conn.request("GET", "/")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                probe.failures.append(f"status {response.status}")
            probe.times.append(time.monotonic() - started)
        except OSError as exc:
            probe.failures.append(f"{type(exc).__name__} after {time.monotonic() - started:.1f} s")
        stop.wait(0.5)


def attack(port: int, connections: int, seconds: float, timeout: float = 10.0) -> Probe:
    """Open `connections` slow sockets (the three kinds in turn, round-robin over ADDRESSES), keep them going
    for `seconds` while the normal client asks for `/`; returns what the normal client saw."""
    stop, lock, probe = threading.Event(), threading.Lock(), Probe()
    threads = [threading.Thread(target=_slow_socket, daemon=True,
                                args=(ADDRESSES[i % len(ADDRESSES)], port, KINDS[i % len(KINDS)], stop, probe, lock))
               for i in range(connections)]
    for thread in threads:
        thread.start()
    time.sleep(2.5)  # every slow socket is open and has sent its first part
    client = threading.Thread(target=_normal_client, args=(port, stop, probe, timeout), daemon=True)
    client.start()
    time.sleep(seconds)
    stop.set()
    client.join(timeout + 5)
    for thread in threads:
        thread.join(10)
    return probe


def _serve(port: int, env: dict, workers: int, threads: int, log) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "run.py", "serve", "--no-scheduler", "--port", str(port),
                             "--workers", str(workers), "--threads", str(threads)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("serve did not start")


def main() -> int:
    from bench.pg import free_port

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--modes", default="gthread,nginx")
    args = parser.parse_args()
    connections = args.workers * args.threads * 4
    tmp = tempfile.mkdtemp(prefix="cockpit-slow-")
    secret = os.urandom(24).hex()
    for mode in args.modes.split(","):
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")},
               "COCKPIT_DATABASE_URL": f"sqlite:///{tmp}/{mode}.db", "COCKPIT_SECRET_KEY": secret,
               "COCKPIT_PROXY": "false" if mode == "gthread" else "true", "COCKPIT_LOG_LEVEL": "WARNING"}
        port = free_port()
        with open(f"{tmp}/{mode}.log", "wb") as log:
            proc = _serve(port, env, args.workers, args.threads, log)
        try:
            probe = attack(port, connections, args.seconds)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
        times = sorted(probe.times)
        worst = f"{times[-1]:.2f} s" if times else "-"
        median = f"{times[len(times) // 2]:.3f} s" if times else "-"
        print(f"{mode:8} {args.workers} worker(s) x {args.threads} threads, {probe.opened} slow sockets, "
              f"{args.seconds:.0f} s: {len(times)} answers to GET /, median {median}, worst {worst}, "
              f"{len(probe.failures)} failures {probe.failures[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
