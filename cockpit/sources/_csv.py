"""Shared helpers of the CSV connectors: fetching, encoding detection, rows with line numbers, German numbers and dates."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cockpit.sources.base import Connector, Document, Payload, PayloadError
from cockpit.sources.config import SourceConfig
from cockpit.sources.http import Fetcher

LOCAL_TZ = ZoneInfo("Europe/Berlin")
# Byte sequences that UTF-8 text turns into when it is wrongly read as cp1252 (ä ö ü ß Ä Ö Ü).
MOJIBAKE = ("Ã¤", "Ã¶", "Ã¼", "ÃŸ", "Ã„", "Ã–", "Ãœ")
_NUMBER = {
    ",": re.compile(r"^[+-]?(?:\d{1,3}(?:[.\u00a0 ]\d{3})+|\d+)(?:,\d+)?$"),
    ".": re.compile(r"^[+-]?(?:\d{1,3}(?:[,\u00a0 ]\d{3})+|\d+)(?:\.\d+)?$"),
}


class RowError(ValueError):
    """One row cannot be used; the message is the reason shown in the quarantine."""


@dataclass(frozen=True)
class Row:
    """One CSV record: the line it starts on (1-based), its raw text and its fields."""

    line: int
    raw: str
    fields: list[str]
    complete: bool = True  # False for a last record without a line end (a truncated file)


def fetch_document(fetcher: Fetcher, source: SourceConfig) -> Document:
    """Fetch the source's file or URL; a payload error (e.g. beyond max_bytes) names the source."""
    try:
        return fetcher.get(source.location)
    except PayloadError as exc:
        raise PayloadError(f"source '{source.id}': {exc}") from None


class SingleFileConnector(Connector):
    """A connector whose source is one file or URL, fetched whole on every run."""

    def fetch(self, watermark: str | None) -> Payload:
        return Payload(documents=[fetch_document(self.fetcher, self.source)])


def single_document(documents: list[Document], source_id: str) -> Document:
    if len(documents) != 1:
        raise PayloadError(f"source '{source_id}': expected one CSV document, got {len(documents)}")
    return documents[0]


def check_csv_bytes(body: bytes, where: str) -> None:
    """Reject payloads that are no CSV at all: empty, an HTML error page, a binary file."""
    if not body.strip(b" \t\r\n\xef\xbb\xbf"):
        raise PayloadError(f"{where}: empty file")
    head = body.lstrip(b" \t\r\n\xef\xbb\xbf")[:200].lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        raise PayloadError(f"{where}: got an HTML/XML page instead of CSV (an error page?)")
    if b"\x00" in body[:4096]:
        raise PayloadError(f"{where}: binary content (NUL bytes), not a CSV text file")


def decode(body: bytes, where: str, encoding: str = "auto") -> str:
    """Decode CSV bytes: 'auto' tries UTF-8 (with or without BOM) strictly, then cp1252."""
    if encoding != "auto":
        try:
            return body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise PayloadError(
                f"{where}: not {encoding} encoded ({exc.reason} at byte {exc.start})"
            ) from None
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise PayloadError(
            f"{where}: neither UTF-8 nor cp1252 text (byte 0x{body[exc.start]:02x} at {exc.start})"
        ) from None
    if any(seq in text for seq in MOJIBAKE):
        raise PayloadError(f"{where}: mixed encodings: UTF-8 umlauts in a file that is otherwise cp1252")
    return text


def read_rows(text: str, separator: str, where: str) -> list[Row]:
    """Split CSV text into records, keeping each one's starting line number and raw text; blank lines are skipped."""
    lines = io.StringIO(text).readlines()
    reader = csv.reader(lines, delimiter=separator)
    rows: list[Row] = []
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise PayloadError(f"{where}: CSV syntax error at line {start}: {exc}") from None
        end = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        raw = "".join(lines[start - 1 : end])
        rows.append(Row(start, raw.rstrip("\r\n"), fields, complete=raw.endswith(("\n", "\r"))))
    return rows


def clean(name: str) -> str:
    """A header or cell without BOM, surrounding blanks and doubled inner blanks."""
    return " ".join(name.replace("\ufeff", "").split())


def german_number(text: object, decimal: str = ",") -> float:
    """A number with decimal comma (or point) and optional thousands separators; RowError otherwise."""
    if isinstance(text, bool):
        raise RowError(f"{text!r} is not a number")
    if isinstance(text, int | float):
        return float(text)
    value = str(text).strip()
    if not value:
        raise RowError("empty value")
    if not _NUMBER[decimal].match(value):
        raise RowError(f"{value!r} is not a number")
    thousands = "." if decimal == "," else ","
    for sep in (thousands, "\u00a0", " "):
        value = value.replace(sep, "")
    return float(value.replace(",", "."))


def german_date(text: str) -> date:
    """A date written dd.mm.yyyy; RowError otherwise."""
    value = text.strip()
    if not value:
        raise RowError("empty date")
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        raise RowError(f"date {value!r} is not dd.mm.yyyy") from None


def local_start(day: date) -> datetime:
    """Local (Europe/Berlin) midnight of a day, as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)


def period_bounds(day: date, rhythm: str) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the local day, month or year that contains `day`."""
    if rhythm == "year":
        first, following = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    elif rhythm == "month":
        first = date(day.year, day.month, 1)
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    else:
        first, following = day, date.fromordinal(day.toordinal() + 1)
    return local_start(first), local_start(following)
