"""Fetch documents from a URL or a local path, with timeouts, bounded size and retries with backoff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlencode, urljoin

import requests

from cockpit.sources.payload import Document, PayloadError, gunzip_if_needed

log = logging.getLogger(__name__)
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(RuntimeError):
    """The source could not be reached or kept failing after all retries."""


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def resolve(location: str, path: str = "") -> str:
    """Join a base location (URL or folder) with a relative path; an absolute URL in `path` wins."""
    if is_url(path):
        return path
    if is_url(location):
        return urljoin(location if location.endswith("/") or not path else location + "/", path)
    return str(Path(location) / path) if path else location


def _retry_after(response: requests.Response, default: float) -> float:
    value = response.headers.get("Retry-After")
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return default


@dataclass
class Fetcher:
    """GET documents; transient failures (timeouts, connection errors, 5xx, 429) are retried with backoff."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0
    max_bytes: int = 64 * 1024 * 1024
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, location: str, path: str = "", params: dict | None = None, headers: dict | None = None) -> Document:
        target = resolve(location, path)
        if not is_url(target):
            return self._read_file(target)
        return self._get_url(target, params, headers)

    def _read_file(self, target: str) -> Document:
        file = Path(target)
        try:
            size = file.stat().st_size
        except FileNotFoundError:
            raise FetchError(f"file not found: {file}") from None
        if size > self.max_bytes:
            raise PayloadError(f"{file}: payload of {size} bytes exceeds the limit of {self.max_bytes} bytes")
        content = gunzip_if_needed(file.read_bytes(), str(file), self.max_bytes)
        return Document(name=str(file), content=content, content_type=_guess_type(file))

    def _get_url(self, url: str, params: dict | None, headers: dict | None) -> Document:
        name = f"{url}?{urlencode(params)}" if params else url
        delay = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.session.get(url, params=params, headers=headers, timeout=self.timeout, stream=True)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if last:
                    raise FetchError(f"{name}: {type(exc).__name__} after {attempt + 1} attempts: {exc}") from None
                log.warning("%s: %s, retrying in %.1fs", name, type(exc).__name__, delay)
                self.sleep(delay)
                delay *= 2
                continue
            with response:
                if response.status_code in RETRY_STATUS and not last:
                    wait = min(self.max_wait, _retry_after(response, delay))
                    log.warning("%s: HTTP %s, retrying in %.1fs", name, response.status_code, wait)
                    self.sleep(wait)
                    delay *= 2
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"{name}: HTTP {response.status_code} after {attempt + 1} attempts")
                # requests undoes a declared Content-Encoding; a gzip body without one is recognised here
                body = gunzip_if_needed(self._read_body(response, name), name, self.max_bytes)
                return Document(name=name, content=body, content_type=response.headers.get("Content-Type", ""))
        raise FetchError(f"{name}: no attempt made")  # pragma: no cover - loop always returns or raises

    def _read_body(self, response: requests.Response, name: str) -> bytes:
        chunks, total = [], 0
        try:
            for chunk in response.iter_content(chunk_size=65536):
                total += len(chunk)
                if total > self.max_bytes:
                    raise PayloadError(f"{name}: payload exceeds the limit of {self.max_bytes} bytes")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise FetchError(f"{name}: connection broke while reading the body: {exc}") from None
        return b"".join(chunks)


def _guess_type(file: Path) -> str:
    return {".json": "application/json", ".csv": "text/csv", ".xml": "application/xml"}.get(file.suffix.lower(), "")
