"""gunicorn's access log, safe to read: every field that comes from the request (request line, path, query,
headers such as User-Agent and Referer, the user) is escaped as nginx does (`\\xHH` for control characters,
bytes above 0x7e, the double quote and the backslash), so a request with CR/LF or ANSI escapes in it can
neither start a forged log line nor hide one. Off unless COCKPIT_ACCESS_LOG names a file or `-` (stderr)."""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\xff"\\]')


def escape(value: str) -> str:
    """'GET /\\r\\nforged' -> 'GET /\\x0D\\x0Aforged' (characters above 0xff, impossible in WSGI's latin-1 strings,
    are kept)."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02X}", value)


class EscapingLogger(Logger):
    """gunicorn's logger with every text atom of the access log escaped (the format stays gunicorn's)."""

    def atoms(self, resp, req, environ, request_time):
        return {key: escape(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


def gunicorn_log_options(access_log: str | None) -> dict:
    """The logging options of `serve`'s gunicorn: the escaping logger, and the access log where it is asked for."""
    return {"logger_class": EscapingLogger, "accesslog": access_log or None}
