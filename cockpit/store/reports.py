"""Archived council reports: rows with the PDF and XLSX bytes and their SHA-256. Rows are never changed (a
report is not regenerated silently) except once when a pending report is published with the departments'
comments (`report_reviews.publish`); the public sees published public reports only, filtered here in SQL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from cockpit.store.schema import archived_reports

META_COLUMNS = ("id", "period", "audience", "lang", "created_at", "created_by", "data_version", "rules_version",
                "inputs_sha256", "state", "published", "pdf_sha256", "xlsx_sha256")


@dataclass(frozen=True)
class ArchivedReport:
    id: int
    period: str
    audience: str
    lang: str
    created_at: datetime
    created_by: str
    data_version: int
    rules_version: str
    inputs_sha256: str
    state: str  # JSON
    published: bool
    pdf_sha256: str
    xlsx_sha256: str
    pdf_size: int = 0


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add(conn: Connection, *, period: str, audience: str, lang: str, created_at: datetime, created_by: str,
        data_version: int, rules_version: str, inputs_sha256: str, state: str, published: bool, pdf: bytes,
        xlsx: bytes) -> int:
    result = conn.execute(insert(archived_reports).values(
        period=period, audience=audience, lang=lang, created_at=created_at, created_by=created_by,
        data_version=data_version, rules_version=rules_version, inputs_sha256=inputs_sha256, state=state,
        published=published, pdf=pdf, pdf_sha256=sha256(pdf), xlsx=xlsx, xlsx_sha256=sha256(xlsx)))
    return int(result.inserted_primary_key[0])


def _visible(query, internal: bool):
    if not internal:
        query = query.where(archived_reports.c.audience == "public", archived_reports.c.published.is_(True))
    return query


def read_all(conn: Connection, internal: bool, audience: str | None = None,
             lang: str | None = None, published: bool | None = None) -> list[ArchivedReport]:
    """The reports the viewer may see, newest first (`internal`: staff see every report, also pending ones;
    `published`: only published / only pending ones)."""
    columns = [archived_reports.c[c] for c in META_COLUMNS]
    query = _visible(select(*columns), internal)
    if published is not None:
        query = query.where(archived_reports.c.published.is_(published))
    if audience is not None:
        query = query.where(archived_reports.c.audience == audience)
    if lang is not None:
        query = query.where(archived_reports.c.lang == lang)
    rows = conn.execute(query.order_by(archived_reports.c.id.desc())).mappings().all()
    return [ArchivedReport(**dict(r)) for r in rows]


def read_file(conn: Connection, report_id: int, kind: str, internal: bool) -> tuple[ArchivedReport, bytes] | None:
    """The report's PDF or XLSX bytes (`kind`: pdf | xlsx) if the viewer may see it; checked against the stored
    SHA-256 (a mismatch raises: the archive is damaged, nothing is served)."""
    columns = [archived_reports.c[c] for c in META_COLUMNS]
    query = _visible(select(*columns, archived_reports.c[kind].label("data")), internal)
    row = conn.execute(query.where(archived_reports.c.id == report_id)).mappings().first()
    if row is None:
        return None
    values = dict(row)
    data = bytes(values.pop("data"))
    report = ArchivedReport(**values)
    expected = report.pdf_sha256 if kind == "pdf" else report.xlsx_sha256
    if sha256(data) != expected:
        raise ValueError(f"archived report {report_id}: the {kind} does not match its SHA-256")
    return report, data
