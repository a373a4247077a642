"""`run.py`: the command list, the WSGI `server` for gunicorn, and `serve` from an empty database to tiles."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from cockpit import PROJECT_ROOT
from tests.fixtures.services import free_port

RUN = [sys.executable, str(PROJECT_ROOT / "run.py")]


def render(port: int, pathname: str) -> str:
    """The Dash Pages routing callback, as the browser sends it on load; the page content as JSON text."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-update-component",
                                     data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.dumps(json.loads(response.read()), ensure_ascii=False)


def test_help_lists_every_command():
    result = subprocess.run([*RUN, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("serve", "scheduler", "ingest", "backfill", "reprocess", "status", "export", "check-config",
                    "evaluate"):
        assert f"    {command}" in result.stdout


def test_server_is_importable_for_gunicorn(tmp_path):
    env = {**os.environ, "COCKPIT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "COCKPIT_LOAD_DEMO": "false"}
    code = "import run; from flask import Flask; assert isinstance(run.server, Flask); print(run.server.name)"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_serve_on_an_empty_database_shows_the_demo_tiles_within_a_minute(tmp_path):
    port = free_port()
    env = {**os.environ, "COCKPIT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    proc = subprocess.Popen([*RUN, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    started, body = time.monotonic(), None
    try:
        while time.monotonic() - started < 60 and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "no answer on / within 60 s of the first start"
        assert '<html lang="de"' in body
        page = render(port, "/")  # what the browser asks for next: the page content through Dash's router
        assert '"id": "tile-co2-per-inhabitant"' in page and "Demodaten" in page and "Gefährdet" in page
        assert "tile-smart-bin-fill-level" not in page  # internal
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
