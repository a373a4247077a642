"""`serve`'s gunicorn access log cannot be forged: CR/LF, other control characters and quotes in the request line
or a header come out escaped, one request = one log line (gunicorn's own logger writes them raw)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from cockpit import PROJECT_ROOT
from cockpit.commands._access_log import escape, gunicorn_log_options

FORGED = '127.0.0.1 - admin [06/Dec/2026:03:00:00 +0000] "POST /admin/accounts HTTP/1.1" 200 0'
RAW_URI = "/api/v1/indicators?x=1\r\n" + FORGED  # what a client may try to smuggle into the log


def log_lines(logger_class, path) -> list[str]:
    cfg = Config()
    for key, value in {**gunicorn_log_options(str(path)), "logger_class": logger_class}.items():
        cfg.set(key, value)
    logger = cfg.logger_class(cfg)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": RAW_URI, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9",
               "PATH_INFO": "/api/v1/indicators", "QUERY_STRING": "x=1\r\n" + FORGED,
               "HTTP_USER_AGENT": 'curl/8 "\x1b[2Jcleared\nnext"', "HTTP_REFERER": "-"}
    request = SimpleNamespace(headers=[("USER-AGENT", environ["HTTP_USER_AGENT"])])
    response = SimpleNamespace(status="200 OK", headers=[("Content-Type", "application/json")], sent=17)
    logger.access(response, request, environ, timedelta(milliseconds=3))
    for handler in logger.access_log.handlers:
        handler.flush()
    return path.read_text(encoding="utf-8").splitlines()


def test_a_request_with_control_characters_is_one_escaped_log_line(tmp_path):
    options = gunicorn_log_options("-")
    assert options["accesslog"] == "-" and gunicorn_log_options(None)["accesslog"] is None  # off by default
    [line] = log_lines(options["logger_class"], tmp_path / "access.log")
    assert line.startswith('203.0.113.9 - - [') and "\\x0D\\x0A127.0.0.1 - admin" in line
    assert '\\x22\\x1B[2Jcleared\\x0Anext\\x22' in line  # the User-Agent: quotes, ESC and LF escaped
    assert "\x1b" not in line and line.count('"') == 6  # only the format's own quotes: request, referer, agent


def test_gunicorns_own_logger_would_let_the_forged_line_through(tmp_path):
    # in a fresh interpreter: gunicorn's logger is process-global state that other tests of this worker touch
    script = ("import sys; from pathlib import Path; from gunicorn.glogging import Logger; "
              "from tests.unit.test_access_log import log_lines; log_lines(Logger, Path(sys.argv[1]))")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "raw.log")], cwd=PROJECT_ROOT, check=True)
    lines = (tmp_path / "raw.log").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("127.0.0.1 - admin [06/Dec/2026:03:00:00 +0000]") for line in lines)  # prevented


def test_escape_keeps_ordinary_text():
    assert escape("GET /goals?lang=de HTTP/1.1") == "GET /goals?lang=de HTTP/1.1"
    assert escape("a\\b\x7f\xe4") == "a\\x5Cb\\x7F\\xE4"
