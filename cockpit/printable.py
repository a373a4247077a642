"""Text from outside (login names, report texts, request paths, source data) made safe for a terminal or a log
line: control characters (C0, DEL, C1, e.g. ESC for terminal escape sequences, CR/LF for forged log lines) and
Unicode bidirectional overrides are shown as escapes (`\\x1b`, `\\n`, `\\u202e`), everything else unchanged."""

from __future__ import annotations

import logging
import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value) -> str:
    """`value` as text with every control character escaped (None -> '')."""
    text = "" if value is None else str(value)
    return _UNSAFE.sub(_escape, text)


class EscapeControlCharacters(logging.Filter):
    """A handler filter: the log message (with its arguments filled in) with control characters escaped; the
    traceback of an exception, added by the formatter later, keeps its line breaks."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = printable(message[:-1] if message.endswith("\n") else message)  # a final line break is the end
        if safe != message:
            record.msg, record.args = safe, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of `logger` (default: the root logger)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, EscapeControlCharacters) for f in handler.filters):
            handler.addFilter(EscapeControlCharacters())
