"""The observation archive: raw rows of whole past years as Parquet files, one per indicator and year
(`<archive dir>/<indicator>/<year>.parquet`, revisions of those rows beside it in `<year>.revisions.parquet`),
each with its SHA-256 in `<archive dir>/manifest.json` (file, rows, first and last period start, checksum, time
written). A format, like a connector: no SQL, no web; `cockpit.jobs.archive` moves the rows out of the store,
the views read them back (`read`), always after filtering by the viewer's indicators.

Years are Europe/Berlin calendar years (period_start in [Jan 1 00:00 local, next Jan 1)), as the goals and the
rollups count them: a local day, month or year rollup never mixes archived and stored rows, so recomputing one
after a revision never misses an archived row. Writing merges with a file already there (a rerun after a crash between write and delete, or rows
that arrived later), to a temporary file that replaces the old one only when complete; the manifest is replaced
the same way, under a lock file, so a reader sees either the old or the new state.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cockpit.clock import local_year_bounds as year_bounds

KEY = ["indicator", "district", "period_start"]
COLUMNS = ["indicator", "district", "period_start", "period_end", "value", "source_id", "run_id", "ingested_at"]
REVISION_COLUMNS = ["indicator", "district", "period_start", "value", "source_id", "run_id", "valid_from",
                    "replaced_at", "replaced_by_run"]
_TIME = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema([("indicator", pa.string()), ("district", pa.string()), ("period_start", _TIME),
                    ("period_end", _TIME), ("value", pa.float64()), ("source_id", pa.string()),
                    ("run_id", pa.int64()), ("ingested_at", _TIME)])
REVISION_SCHEMA = pa.schema([("indicator", pa.string()), ("district", pa.string()), ("period_start", _TIME),
                             ("value", pa.float64()), ("source_id", pa.string()), ("run_id", pa.int64()),
                             ("valid_from", _TIME), ("replaced_at", _TIME), ("replaced_by_run", pa.int64())])
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Entry:
    """One archived indicator year, as the manifest lists it."""

    indicator: str
    year: int
    file: str  # relative to the archive directory
    rows: int
    min_period_start: str | None  # ISO 8601 UTC
    max_period_start: str | None
    sha256: str
    created_at: str
    revisions_file: str | None = None
    revisions_rows: int = 0
    revisions_sha256: str | None = None


class ArchiveError(RuntimeError):
    """An archive file cannot be trusted (missing, changed, unreadable); the message names the file."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _iso(moment) -> str | None:
    if moment is None or pd.isna(moment):
        return None
    return pd.Timestamp(moment).tz_convert(UTC).isoformat()


def normalised(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The archive's column types: UTC microsecond times, float values, nullable integer ids, sorted by key."""
    frame = frame.reindex(columns=columns).copy()
    for column in columns:
        if column in ("period_start", "period_end", "ingested_at", "valid_from", "replaced_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
        elif column == "value":
            frame[column] = frame[column].astype("float64")
        elif column in ("run_id", "replaced_by_run"):
            frame[column] = pd.array(frame[column], dtype="Int64")
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    order = [c for c in (*KEY, "valid_from") if c in columns]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Both frames hold the same observations (keys, period ends and values)."""
    cols = ["indicator", "district", "period_start", "period_end", "value"]
    left, right = normalised(a, COLUMNS)[cols], normalised(b, COLUMNS)[cols]
    return len(left) == len(right) and left.equals(right)


class ObservationArchive:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    # ------------------------------------------------------------------ manifest
    def manifest(self) -> dict[tuple[str, int], Entry]:
        path = self.root / MANIFEST
        if not path.exists():
            return {}
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            entries = [Entry(**item) for item in document["files"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"{path}: unreadable manifest ({exc})") from None
        return {(e.indicator, e.year): e for e in entries}

    def years(self, indicator_id: str) -> list[int]:
        return sorted(year for (indicator, year) in self.manifest() if indicator == indicator_id)

    def _write_manifest(self, entries: dict[tuple[str, int], Entry]) -> None:
        document = {"format": "smartcity-cockpit observation archive", "version": 1,
                    "files": [asdict(entries[key]) for key in sorted(entries)]}
        _replace(self.root / MANIFEST, json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"))

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time (the scheduled job and `run.py archive` may meet)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ write
    def path(self, indicator_id: str, year: int, revisions: bool = False) -> Path:
        return self.root / indicator_id / (f"{year}.revisions.parquet" if revisions else f"{year}.parquet")

    def write(self, indicator_id: str, year: int, rows: pd.DataFrame, revisions: pd.DataFrame,
              now: datetime) -> Entry:
        """Archive an indicator's rows of a year (merged with what the file holds already: the database's rows
        win for a key in both) and its revisions; returns the manifest entry. Call under `locked()`."""
        entries = self.manifest()
        old = entries.get((indicator_id, year))
        if old is not None:
            self.check(old)  # never merge into a file that was changed behind our back
            stored = self.read_file(old)
            rows = pd.concat([normalised(stored, COLUMNS), normalised(rows, COLUMNS)], ignore_index=True)
            rows = rows.drop_duplicates(KEY, keep="last")
            if old.revisions_file:
                kept = pq.read_table(self.root / old.revisions_file, schema=REVISION_SCHEMA).to_pandas()
                revisions = pd.concat([normalised(kept, REVISION_COLUMNS), normalised(revisions, REVISION_COLUMNS)],
                                      ignore_index=True).drop_duplicates()
        rows, revisions = normalised(rows, COLUMNS), normalised(revisions, REVISION_COLUMNS)
        if rows.empty:
            raise ArchiveError(f"{indicator_id} {year}: nothing to archive")
        target = self.path(indicator_id, year)
        target.parent.mkdir(parents=True, exist_ok=True)
        _replace(target, _parquet(rows, SCHEMA))
        revisions_file = revisions_sha = None
        if len(revisions):
            revisions_path = self.path(indicator_id, year, revisions=True)
            _replace(revisions_path, _parquet(revisions, REVISION_SCHEMA))
            revisions_file, revisions_sha = str(revisions_path.relative_to(self.root)), sha256_of(revisions_path)
        entry = Entry(indicator_id, year, str(target.relative_to(self.root)), len(rows),
                      _iso(rows["period_start"].min()), _iso(rows["period_start"].max()), sha256_of(target),
                      now.astimezone(UTC).isoformat(timespec="seconds"), revisions_file, len(revisions),
                      revisions_sha)
        entries[(indicator_id, year)] = entry
        self._write_manifest(entries)
        return entry

    # ------------------------------------------------------------------ verify and read
    def check(self, entry: Entry) -> None:
        """The entry's files exist and have their checksums and row counts; else ArchiveError naming the file."""
        for name, digest, count in ((entry.file, entry.sha256, entry.rows),
                                    (entry.revisions_file, entry.revisions_sha256, entry.revisions_rows)):
            if name is None:
                continue
            path = self.root / name
            if not path.is_file():
                raise ArchiveError(f"{path}: missing (listed in {self.root / MANIFEST})")
            found = sha256_of(path)
            if found != digest:
                raise ArchiveError(f"{path}: checksum {found[:12]}… differs from the manifest's {digest[:12]}… "
                                   "(the file was changed or damaged)")
            try:
                rows = pq.ParquetFile(path).metadata.num_rows
            except (OSError, pa.ArrowException) as exc:
                raise ArchiveError(f"{path}: not a readable Parquet file ({exc})") from None
            if rows != count:
                raise ArchiveError(f"{path}: {rows} rows, the manifest lists {count}")

    def verify(self) -> list[str]:
        """Every problem of the archive: listed files missing or changed, Parquet files the manifest lacks."""
        try:
            entries = self.manifest()
        except ArchiveError as exc:
            return [str(exc)]
        problems = []
        for entry in entries.values():
            try:
                self.check(entry)
            except ArchiveError as exc:
                problems.append(str(exc))
        listed = {e.file for e in entries.values()} | {e.revisions_file for e in entries.values()}
        if self.root.is_dir():
            for path in sorted(self.root.glob("*/*.parquet")):
                if str(path.relative_to(self.root)) not in listed:
                    problems.append(f"{path}: not listed in {self.root / MANIFEST}")
        return problems

    def read_file(self, entry: Entry, since: datetime | None = None, until: datetime | None = None,
                  districts: list[str] | None = None) -> pd.DataFrame:
        filters = []
        if since is not None:
            filters.append(("period_start", ">=", pd.Timestamp(since).tz_convert(UTC)))
        if until is not None:
            filters.append(("period_start", "<", pd.Timestamp(until).tz_convert(UTC)))
        if districts is not None:
            filters.append(("district", "in", list(districts)))
        try:
            table = pq.read_table(self.root / entry.file, schema=SCHEMA, filters=filters or None)
        except (OSError, pa.ArrowException) as exc:
            raise ArchiveError(f"{self.root / entry.file}: not readable ({exc})") from None
        return normalised(table.to_pandas(), COLUMNS)

    def read(self, indicator_ids: list[str], districts: list[str] | None, since: datetime | None,
             until: datetime | None) -> tuple[pd.DataFrame, list[int]]:
        """Archived rows of these indicators (the caller passes only indicators the viewer may see) in
        [since, until), districts None = all; and the years they came from."""
        frames, years = [], set()
        for (indicator, year), entry in sorted(self.manifest().items()):
            start, end = year_bounds(year)
            if indicator not in indicator_ids or (since is not None and end <= since) or \
                    (until is not None and start >= until):
                continue
            frame = self.read_file(entry, since, until, districts)
            if len(frame):
                frames.append(frame)
                years.add(year)
        if not frames:
            return normalised(pd.DataFrame(columns=COLUMNS), COLUMNS), []
        return normalised(pd.concat(frames, ignore_index=True), COLUMNS), sorted(years)


def _parquet(frame: pd.DataFrame, schema: pa.Schema) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _replace(path: Path, data: bytes) -> None:
    """Write a file completely (flushed to disk) under a temporary name, then rename it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
