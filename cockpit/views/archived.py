"""Archived raw rows read back transparently: the open-data API's raw pages, the explorer's and the indicator
page's raw-based buckets (hour, week) include the Parquet files of `cockpit.archive` for the years that left the
database, and say so (`note`). The SensorThings API, whose Observations are database rows with ids, says which
years are archived and links their raw CSV instead (`stream_note`). The viewer's visibility comes first: only indicators the viewer may see are looked up in the archive,
so an archived year gives nobody more than the stored rows would.

Rows of an archived year still in the database (a crash between writing and deleting, or a row that arrived
after archiving) count once: the database's row wins.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pandas as pd

from cockpit.archive import KEY, ArchiveError, year_bounds
from cockpit.archive.buckets import combine, fine_buckets
from cockpit.config import LOCAL_TZ
from cockpit.i18n import t
from cockpit.roles import Role, Viewer
from cockpit.store.explore_reads import reads_raw

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

log = logging.getLogger(__name__)
PAGE_COLUMNS = ["indicator", "district", "period_start", "period_end", "value"]


def note(years: list[int], lang: str) -> str | None:
    """'enthält archivierte Rohdaten aus 2022' (None without archived years)."""
    return t("archive.note", lang, years=", ".join(str(y) for y in years)) if years else None


def archived_years(cockpit: Cockpit, indicator_ids: list[str]) -> dict[str, list[int]]:
    """Indicator -> its archived years, for these indicators (the caller's visible ones); {} when the manifest
    is unreadable (`run.py archive --verify` names the problem; the stored rows are still served)."""
    try:
        manifest = cockpit.archive.manifest()
    except ArchiveError as exc:
        log.error("archived years not read: %s", exc)
        return {}
    wanted, found = set(indicator_ids), {}
    for indicator, year in sorted(manifest):
        if indicator in wanted:
            found.setdefault(indicator, []).append(year)
    return found


def stream_note(base_url: str, indicator_id: str, district: str, years: list[int]) -> dict:
    """A SensorThings datastream's archived years - their raw rows are no Observations any more - and where
    they are: the open-data API's raw CSV of those years (which reads the archive's files), in both languages."""
    query = {"district": district} if district else {}
    query.update({"from": f"{years[0]}-01-01", "to": f"{years[-1] + 1}-01-01", "format": "csv"})
    href = f"{base_url}/api/v1/indicators/{indicator_id}/observations?{urlencode(query)}"
    listed = ", ".join(map(str, years))
    return {"years": years, "href": href,
            "note": {lang: t("archive.sta.note", lang, years=listed, href=href) for lang in ("de", "en")}}


def _visible(cockpit: Cockpit, who: Viewer | Role | str, indicator_ids) -> list[str]:
    allowed = {i.id for i in cockpit.catalog.visible_indicators(who)}
    return [i for i in indicator_ids if i in allowed]


def _archived_span(cockpit: Cockpit, indicator_ids: list[str], since: datetime | None,
                   until: datetime | None) -> datetime | None:
    """The end of the last archived year of these indicators that overlaps [since, until), or None."""
    try:
        manifest = cockpit.archive.manifest()
    except ArchiveError as exc:  # the stored rows are still shown; `run.py archive --verify` names the problem
        log.error("archived rows not read: %s", exc)
        return None
    ends = [year_bounds(year)[1] for (indicator, year) in manifest if indicator in indicator_ids
            and (until is None or year_bounds(year)[0] < until) and (since is None or year_bounds(year)[1] > since)]
    return max(ends) if ends else None


def _merged(archived: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    stored = stored[[c for c in archived.columns if c in stored.columns]]
    both = pd.concat([archived[stored.columns], stored], ignore_index=True) if len(stored) else archived
    both = both.drop_duplicates(KEY, keep="last")
    return both.sort_values(["indicator", "district", "period_start"], kind="stable").reset_index(drop=True)


def raw_page(cockpit: Cockpit, who: Viewer | Role | str, indicator_id: str, district: str,
             since: datetime | None, until: datetime | None, offset: int,
             limit: int) -> tuple[pd.DataFrame, int, list[int]]:
    """One page of raw rows (oldest first) as `Store.observation_page`, archived years included; the total and
    the archived years the page's rows came from."""
    store = cockpit.store
    ids = _visible(cockpit, who, [indicator_id])
    split = _archived_span(cockpit, ids, since, until) if ids else None
    if split is None:
        frame, total = store.observation_page(who, indicator_id, district, since, until, offset, limit)
        return frame, total, []
    head_until = split if until is None else min(split, until)
    archived, years = cockpit.archive.read(ids, [district], since, head_until)
    stored = store.observations(who, ids, district, since, head_until)
    head = _merged(archived, stored)[PAGE_COLUMNS]
    taken = head.iloc[offset:offset + limit]
    tail_since = split if since is None else max(split, since)
    tail, tail_total = pd.DataFrame(columns=PAGE_COLUMNS), 0
    if until is None or until > tail_since:
        tail, tail_total = store.observation_page(who, indicator_id, district, tail_since, until,
                                                  max(0, offset - len(head)), limit - len(taken))
    shown = set(pd.to_datetime(taken["period_start"], utc=True).dt.tz_convert(LOCAL_TZ).dt.year) if len(taken) \
        else set()
    frame = pd.concat([taken, tail], ignore_index=True) if len(tail) else taken.reset_index(drop=True)
    return frame, len(head) + tail_total, sorted(y for y in years if y in shown)


def with_archived_buckets(cockpit: Cockpit, who: Viewer | Role | str, grain: str,
                          wanted: dict[str, tuple[str, ...] | None], since: datetime, until: datetime,
                          frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The store's hour/week buckets (`frame`) completed with the archived rows of [since, until); and the
    archived years used. What the store reads from the rollups (kept forever) is returned as it is."""
    if not reads_raw(grain, since, until):
        return frame, []
    ids = _visible(cockpit, who, wanted)
    split = _archived_span(cockpit, ids, since, until) if ids else None
    if split is None:
        return frame, []
    districts = sorted({d for i in ids for d in (wanted[i] or ())}) if all(wanted[i] for i in ids) else None
    archived, years = cockpit.archive.read(ids, districts, since, min(split, until))
    if archived.empty:
        return frame, []
    keep = [wanted[i] is None or d in wanted[i] for i, d in zip(archived["indicator"], archived["district"],
                                                                strict=True)]
    archived = archived[keep]
    stored = cockpit.store.observations(who, ids, None, since, min(split, until))
    if len(stored):  # still in the database (counted there): only the rows the database lacks
        known = pd.MultiIndex.from_frame(stored[KEY].assign(period_start=pd.to_datetime(stored["period_start"],
                                                                                           utc=True)))
        archived = archived[~pd.MultiIndex.from_frame(archived[KEY]).isin(known)]
    aggregation = {i.id: i.aggregation for i in cockpit.catalog.indicators}
    return combine(frame, fine_buckets(archived, grain, aggregation), aggregation), years
