"""Helpers of the connector tests: a connector on a source configured in code, fetching without retries."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from cockpit.sources.base import Connector, PayloadError
from cockpit.sources.config import SourceConfig
from cockpit.sources.http import Fetcher


def source_config(source_id: str, connector: str, location, schedule: dict, options: dict) -> SourceConfig:
    """A source configured in code (as an entry of sources.yaml) at `location` (a folder, file or URL); its failed
    fetches are not retried."""
    return SourceConfig(id=source_id, connector=connector, location=str(location), schedule=schedule, retries=0,
                        options=options)


def make_connector(cls: type[Connector], source_id: str, location, schedule: dict, options: dict) -> Connector:
    """`cls` on a source `source_id` at `location` (a folder, file or URL) with `options`; failed fetches are not
    retried and nothing sleeps."""
    return cls(source_config(source_id, cls.name, location, schedule, options),
               Fetcher(retries=0, sleep=lambda _s: None))


def charging_register_source(catalog, location, **overrides) -> SourceConfig:
    """The charging-register source for Gera at `location`: the catalog's population, postcodes and district
    populations, history since 2017-01; `overrides` replace options."""
    options = dict(city_key="Gera", history_since="2017-01", population=catalog.population,
                   postcodes={code: d.id for d in catalog.districts for code in d.postcodes},
                   district_population={d.id: d.population for d in catalog.districts})
    return SourceConfig(id="charging-register", connector="charging-register", location=str(location),
                        schedule={"cron": "0 5 2 * *"}, options={**options, **overrides})


def by_start(frame: pd.DataFrame) -> dict[str, float]:
    """A parsed frame's values by the start of their period in UTC ('2024-03-29T23:00Z')."""
    return {row.period_start.strftime("%Y-%m-%dT%H:%MZ"): row.value for row in frame.itertuples()}


def hourly_means(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The fill-level means of a parsed frame by UTC hour ('09:00') and district ('city': the city-wide mean), to a
    millionth."""
    means: dict[str, dict[str, float]] = {}
    for row in frame.itertuples():
        means.setdefault(row.period_start.strftime("%H:%M"), {})[row.district or "city"] = round(row.value, 6)
    return means


def assert_refused(read: Callable[[Path], object], path: Path, source_id: str, message: str) -> None:
    """Reading `path` (a broken sample) raises a PayloadError that names the source and the file first and then
    says what is wrong (`message`, a regular expression)."""
    with pytest.raises(PayloadError) as info:
        read(path)
    assert str(info.value).startswith(f"source '{source_id}', {path}: ")
    assert re.search(message, str(info.value))


def assert_html_page_refused(httpserver, path: str, page: bytes | str, read: Callable[[], object],
                             message: str) -> None:
    """The server answers `path` with an HTML page (`page`) and status 200, as a proxy's error page does: `read()`
    raises a PayloadError that names the source and the URL and says so (`message`, a regular expression)."""
    httpserver.expect_request(path).respond_with_data(page, content_type="text/html")
    with pytest.raises(PayloadError, match=message):
        read()


# the waste balance of the statistics samples: three indicators as formulas over the table's columns
_ALL_WASTE = "(Restabfall_t + Bioabfall_t + Papier_t + Glas_t + LVP_t + Sperrmuell_t)"
WASTE = dict(
    period={"column": "Monat", "format": "%m/%Y", "rhythm": "month"},
    indicators=[
        {"id": "household-waste-per-inhabitant", "expr": f"{_ALL_WASTE} * 1000 / Einwohner"},
        {"id": "residual-waste-per-inhabitant", "expr": "(Restabfall_t + Sperrmuell_t) * 1000 / Einwohner"},
        {"id": "recycling-rate", "expr": f"(Bioabfall_t + Papier_t + Glas_t + LVP_t) * 100 / {_ALL_WASTE}"},
    ],
)

# the fill-level sensors of the LoRaWAN samples, one per decoder family
LORAWAN_DEVICES = {
    "fill-001": {"model": "dragino-ldds75", "district": "stadtmitte", "empty_mm": 1500, "full_mm": 300},
    "fill-002": {"model": "dragino-ldds20", "district": "lusan", "empty_mm": 1500, "full_mm": 300},
    "fill-003": {"model": "milesight-em310-udl", "district": "bieblach-tinz", "empty_mm": 1200, "full_mm": 200,
                 "payload": "decoded_payload"},
}
