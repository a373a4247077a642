"""What a connector fetched, kept verbatim: documents and the payload of one run (below the fetcher and the
connector interface, which both use it)."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from typing import Any


class PayloadError(ValueError):
    """The payload as a whole is unusable (not JSON, wrong schema, truncated, empty, an HTML error page)."""


@dataclass(frozen=True)
class Document:
    """One fetched file or HTTP response body, kept verbatim so it can be archived and re-parsed."""

    name: str
    content: bytes
    content_type: str = ""


@dataclass
class Payload:
    """Everything one run fetched; `meta` holds what parse needs besides the bytes (e.g. request context)."""

    documents: list[Document] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(d.content) for d in self.documents)


GZIP_MAGIC = b"\x1f\x8b"


def gunzip_if_needed(body: bytes, where: str, max_bytes: int = 256 * 2**20) -> bytes:
    """A gzip body served without Content-Encoding (or a .gz file) decompressed, bounded in size; other bodies
    unchanged. A body that starts like gzip but does not decompress is a PayloadError saying so."""
    if not body.startswith(GZIP_MAGIC):
        return body
    try:
        inflater = zlib.decompressobj(wbits=31)
        data = inflater.decompress(body, max_bytes + 1)
        if len(data) > max_bytes:
            raise PayloadError(f"{where}: gzip body decompresses to more than {max_bytes} bytes")
        if not inflater.eof:
            raise PayloadError(f"{where}: gzip without Content-Encoding, truncated (the stream does not end)")
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise PayloadError(f"{where}: gzip without Content-Encoding that cannot be decompressed ({exc})") from None
    return data
