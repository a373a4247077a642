"""Job runs, quarantine, watermarks and the archive of raw payloads."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, update

from cockpit.store.schema import data_version, job_runs, payload_archive, quarantine, watermarks

RUN_COLUMNS = ["id", "source_id", "started_at", "finished_at", "status", "rows_read", "rows_stored",
               "rows_rejected", "error"]


def bump_data_version(conn: Connection) -> int:
    """Count one change of what the pages show (call inside the serialized write transaction); the new version."""
    version = conn.execute(update(data_version).where(data_version.c.id == 1).values(
        version=data_version.c.version + 1).returning(data_version.c.version)).scalar()
    if version is None:
        conn.execute(insert(data_version).values(id=1, version=1))
        return 1
    return int(version)


def read_data_version(conn: Connection) -> int:
    return int(conn.execute(select(data_version.c.version).where(data_version.c.id == 1)).scalar() or 0)


def start_run(conn: Connection, source_id: str, now: datetime) -> int:
    result = conn.execute(insert(job_runs).values(
        source_id=source_id, started_at=now, status="running", rows_read=0, rows_stored=0, rows_rejected=0))
    return int(result.inserted_primary_key[0])


def finish_run(conn: Connection, run_id: int, now: datetime, status: str, rows_read: int = 0, rows_stored: int = 0,
               rows_rejected: int = 0, error: str | None = None) -> None:
    conn.execute(update(job_runs).where(job_runs.c.id == run_id).values(
        finished_at=now, status=status, rows_read=rows_read, rows_stored=rows_stored, rows_rejected=rows_rejected,
        error=error))


def close_interrupted(conn: Connection, source_id: str, started_before: datetime, now: datetime) -> int:
    """Mark runs still 'running' that began before `started_before` as failed: their process ended mid-run."""
    result = conn.execute(update(job_runs).where(
        job_runs.c.source_id == source_id, job_runs.c.status == "running", job_runs.c.started_at < started_before,
    ).values(status="failed", finished_at=now, error="interrupted: the process ended during the run; "
                                                     "nothing of it was stored"))
    return result.rowcount or 0


QUARANTINE_SAMPLE = 1000  # distinct records quarantined individually per run; beyond it a sample and a count


def fingerprint(raw: str, reason: str) -> str:
    return hashlib.sha256(f"{raw}\x00{reason}".encode()).hexdigest()


def add_quarantine(conn: Connection, source_id: str, run_id: int, rejects, now: datetime,
                   limit: int = QUARANTINE_SAMPLE) -> None:
    """Quarantine rejects once per (source, raw record, reason): a record seen before counts up `times_seen`
    and moves `last_run_id`; more than `limit` distinct new records in one run keep a sample of `limit` plus
    one summary row with the count and the most frequent reasons."""
    seen: dict[str, tuple[str, str, int]] = {}
    for r in rejects:
        key = fingerprint(r.raw, r.reason)
        raw, reason, times = seen.get(key, (r.raw, r.reason, 0))
        seen[key] = (raw, reason, times + 1)
    if not seen:
        return
    known: dict[str, tuple[int, int]] = {}
    keys = list(seen)
    for start in range(0, len(keys), 500):
        rows = conn.execute(select(quarantine.c.fingerprint, quarantine.c.id, quarantine.c.times_seen).where(
            quarantine.c.source_id == source_id, quarantine.c.fingerprint.in_(keys[start:start + 500]))).all()
        known.update({fp: (qid, times) for fp, qid, times in rows})
    for key, (qid, times) in known.items():
        conn.execute(update(quarantine).where(quarantine.c.id == qid).values(
            times_seen=times + seen[key][2], last_run_id=run_id, last_seen_at=now))
    new = [(key, *seen[key]) for key in keys if key not in known]
    sample, rest = new[:limit], new[limit:]
    rows = [dict(source_id=source_id, run_id=run_id, raw=raw, reason=reason, created_at=now, fingerprint=key,
                 times_seen=times, last_run_id=run_id, last_seen_at=now) for key, raw, reason, times in sample]
    if rest:
        reasons = Counter(_reason_kind(reason) for _key, _raw, reason, _times in rest)
        top = "; ".join(f"{count} x {kind}" for kind, count in reasons.most_common(5))
        records = sum(times for *_, times in rest)
        reason = (f"{records} further rejected records ({len(rest)} distinct) of this run were not quarantined "
                  f"individually (bound {limit}); most frequent reasons: {top}")
        rows.append(dict(source_id=source_id, run_id=run_id, raw=f"[{len(rest)} records not kept]",
                         reason=reason, created_at=now, fingerprint=fingerprint(f"summary:{run_id}", reason),
                         times_seen=records, last_run_id=run_id, last_seen_at=now))
    if rows:
        conn.execute(insert(quarantine), rows)


def _reason_kind(reason: str) -> str:
    """A reason without its record-specific details (ids, line numbers, values), to count reasons by kind."""
    return " ".join(word for word in reason.split() if not any(ch.isdigit() for ch in word))[:120]


def get_watermark(conn: Connection, source_id: str) -> str | None:
    return conn.execute(select(watermarks.c.value).where(watermarks.c.source_id == source_id)).scalar_one_or_none()


def set_watermark(conn: Connection, source_id: str, value: str, now: datetime) -> None:
    if get_watermark(conn, source_id) is None:
        conn.execute(insert(watermarks).values(source_id=source_id, value=value, updated_at=now))
    else:
        conn.execute(update(watermarks).where(watermarks.c.source_id == source_id).values(value=value, updated_at=now))


def read_runs(conn: Connection, source_id: str | None = None, limit: int = 50) -> pd.DataFrame:
    query = select(*[job_runs.c[c] for c in RUN_COLUMNS]).order_by(job_runs.c.id.desc()).limit(limit)
    if source_id is not None:
        query = query.where(job_runs.c.source_id == source_id)
    return _runs_frame(conn.execute(query).mappings().all())


def read_last_runs(conn: Connection) -> pd.DataFrame:
    """The most recent run of every source."""
    latest = select(func.max(job_runs.c.id)).group_by(job_runs.c.source_id).scalar_subquery()
    query = select(*[job_runs.c[c] for c in RUN_COLUMNS]).where(job_runs.c.id.in_(latest)).order_by(
        job_runs.c.source_id)
    return _runs_frame(conn.execute(query).mappings().all())


def _runs_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=RUN_COLUMNS)
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


QUARANTINE_COLUMNS = ["id", "source_id", "run_id", "raw", "reason", "created_at", "times_seen", "last_run_id",
                      "last_seen_at"]


def read_quarantine(conn: Connection, source_id: str | None = None, run_id: int | None = None) -> pd.DataFrame:
    """Quarantined records; `run_id` selects those first seen in that run (`last_run_id`: seen again later)."""
    query = select(*[quarantine.c[c] for c in QUARANTINE_COLUMNS]).order_by(quarantine.c.id)
    if source_id is not None:
        query = query.where(quarantine.c.source_id == source_id)
    if run_id is not None:
        query = query.where(quarantine.c.run_id == run_id)
    return pd.DataFrame(conn.execute(query).mappings().all(), columns=QUARANTINE_COLUMNS)


def archive_payload(conn: Connection, source_id: str, run_id: int, payload, now: datetime, max_bytes: int) -> None:
    """Keep the raw payload, gzip-compressed; drop the oldest of this source beyond `max_bytes` compressed."""
    blob = gzip.compress(_encode(payload))
    conn.execute(insert(payload_archive).values(source_id=source_id, run_id=run_id, fetched_at=now,
                                                size=payload.size, compressed=blob, reprocessed=False))
    rows = conn.execute(select(payload_archive.c.id, func.length(payload_archive.c.compressed)).where(
        payload_archive.c.source_id == source_id).order_by(payload_archive.c.id.desc())).all()
    total, drop = 0, []
    for archive_id, length in rows:
        total += length or 0
        if total > max_bytes and archive_id != rows[0][0]:
            drop.append(archive_id)
    if drop:
        conn.execute(delete(payload_archive).where(payload_archive.c.id.in_(drop)))


def read_archive(conn: Connection, source_id: str) -> list[tuple[int, int, ArchivedPayload]]:
    """(archive id, run id, payload) of a source's archived payloads, oldest first."""
    rows = conn.execute(select(payload_archive.c.id, payload_archive.c.run_id, payload_archive.c.compressed).where(
        payload_archive.c.source_id == source_id).order_by(payload_archive.c.id)).all()
    return [(aid, rid, _decode(gzip.decompress(blob))) for aid, rid, blob in rows]


def _encode(payload) -> bytes:
    documents = [dict(name=d.name, content_type=d.content_type, content=base64.b64encode(d.content).decode("ascii"))
                 for d in payload.documents]
    return json.dumps({"meta": payload.meta, "documents": documents}, default=str).encode("utf-8")


@dataclass(frozen=True)
class ArchivedDocument:
    """One archived document as stored (the store knows no connector types; the ingest rebuilds a payload)."""

    name: str
    content: bytes
    content_type: str = ""


@dataclass(frozen=True)
class ArchivedPayload:
    """An archived payload: its documents and its meta, plain values."""

    documents: list[ArchivedDocument]
    meta: dict


def _decode(data: bytes) -> ArchivedPayload:
    raw = json.loads(data)
    documents = [ArchivedDocument(name=d["name"], content=base64.b64decode(d["content"]),
                                  content_type=d["content_type"]) for d in raw["documents"]]
    return ArchivedPayload(documents=documents, meta=raw["meta"])
