"""A demo that stays current: the synthetic payloads are generated for "today" and read by the real connectors.

The committed payloads under data/samples/demo/ are the connector test fixtures (they end on 2026-11-20). For the
running demo, the same deterministic generators (cockpit/demo/samples/) write the payloads for today into
var/demo/<today>/ (same day -> same bytes): sub-annual series end yesterday (Europe/Berlin), annual series with the
last complete year whose publication lag has passed. Every ingest of a demo source first makes sure that today's
payloads exist and then reads them through the source's usual connector.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from cockpit import PROJECT_ROOT
from cockpit.catalog import Catalog, Indicator
from cockpit.demo.samples import Calendar, charging_register, gbfs, ngsi, sensorthings, smard, statistics
from cockpit.kpi import LOCAL_TZ
from cockpit.sources.config import SourceConfig

log = logging.getLogger(__name__)

FIXTURES = PROJECT_ROOT / "data" / "samples" / "demo"
DEFAULT_FOLDER = PROJECT_ROOT / "var" / "demo"
KEEP_DAYS = 7  # generated folders of earlier days are removed after a week
GENERATORS = (smard, sensorthings, gbfs, ngsi, charging_register, statistics)
# annual series of the demo tables -> the indicator whose publication lag decides their last year
ANNUAL_SERIES = {
    "co2": "co2-per-inhabitant",
    "energy": "final-energy-use",
    "capacity": "renewable-capacity-per-inhabitant",
    "vehicles": "bev-share",
}


def last_published_year(indicator: Indicator, today: date) -> int:
    """The last year whose value is published before `today`: the year ended and its publication lag passed."""
    year = today.year
    while (datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ) + indicator.lag.delta).date() >= today:
        year -= 1
    return year


def calendar_for(catalog: Catalog, today: date) -> Calendar:
    """Sub-annual series end yesterday; each annual series with its last published year."""
    return Calendar(end=today - timedelta(days=1),
                    last_year={key: last_published_year(catalog.indicator(ident), today)
                               for key, ident in ANNUAL_SERIES.items()})


def generate(out: Path, calendar: Calendar) -> None:
    for module in GENERATORS:
        module.generate(out, calendar)


def prepare(catalog: Catalog, today: date, folder: Path = DEFAULT_FOLDER) -> Path:
    """The payloads for `today` under folder/<today>/, generated once (written aside, then renamed into place);
    folders of earlier days are removed."""
    target = folder / today.isoformat()
    if target.is_dir():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{today.isoformat()}-", dir=folder))
    try:
        generate(scratch, calendar_for(catalog, today))
        try:
            scratch.rename(target)
        except OSError:
            if not target.is_dir():  # another process did not win the race either
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log.info("demo payloads for %s written to %s", today.isoformat(), target)
    keep_from = (today - timedelta(days=KEEP_DAYS)).isoformat()
    for old in folder.iterdir():
        if old.is_dir() and not old.name.startswith(".") and old.name < keep_from:
            shutil.rmtree(old, ignore_errors=True)
    return target


def is_demo_source(source: SourceConfig) -> bool:
    """A synthetic source that reads the committed demo payloads."""
    return source.synthetic and _relative(source.location) is not None


def _relative(location: str) -> Path | None:
    try:
        return Path(location).resolve().relative_to(FIXTURES.resolve())
    except (ValueError, OSError):
        return None


def for_today(source: SourceConfig, catalog: Catalog, today: date, folder: Path = DEFAULT_FOLDER) -> SourceConfig:
    """The source reading today's generated payloads instead of the committed ones (others unchanged)."""
    relative = _relative(source.location) if source.synthetic else None
    if relative is None:
        return source
    return source.model_copy(update={"location": str(prepare(catalog, today, folder) / relative)})
