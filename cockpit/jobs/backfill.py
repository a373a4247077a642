"""Backfill a source's history in chunks, resumable: each finished chunk is remembered in the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from cockpit.catalog.duration import Duration
from cockpit.jobs.ingest import Ingestor, RunOutcome
from cockpit.sources.config import SourceConfig

PROGRESS_PREFIX = "backfill:"


def chunks(since: datetime, until: datetime, size: Duration) -> Iterator[tuple[datetime, datetime]]:
    start = since
    while start < until:
        end = min(size.after(start), until)
        yield start, end
        start = end


def backfill(ingestor: Ingestor, source: SourceConfig, since: datetime, until: datetime, size: Duration,
             progress=None) -> list[RunOutcome]:
    """Fetch [since, until) chunk by chunk; a chunk already done (from an interrupted backfill) is skipped.

    Progress is kept under the key 'backfill:<source id>' in the watermarks table as the end of the last
    completed chunk; a failed chunk stops the backfill so that re-running it resumes right there.
    """
    key = PROGRESS_PREFIX + source.id
    done = ingestor.store.watermark(key)
    resume = datetime.fromisoformat(done) if done else since
    if resume < since or resume > until:
        resume = since
    connector = ingestor.connector(source)
    if not connector.supports_backfill:
        raise NotImplementedError(f"connector '{source.connector}' of source '{source.id}' has no history API")
    outcomes = []
    windows = list(chunks(since, until, size))
    for start, end in windows:
        if end <= resume:
            if progress:
                progress.update(1)
            continue
        run_id = ingestor.store.start_run(source.id)
        try:
            payload = connector.fetch_window(start, end)
        except Exception as exc:  # noqa: BLE001 - recorded like any failed run
            outcomes.append(ingestor.record_failure(source, run_id, exc))
            break
        outcome = ingestor.store_payload(source, run_id, connector, payload, progress_key=(key, end.isoformat()))
        outcomes.append(outcome)
        if progress:
            progress.update(1)
        if outcome.status == "failed" or outcome.error:
            break  # a failed chunk, or one with a part missing: progress stays before it, re-running resumes there
    return outcomes
