"""Helpers of the connector tests: a connector on a source configured in code, fetching without retries."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cockpit.sources.base import Connector, PayloadError
from cockpit.sources.config import SourceConfig
from cockpit.sources.http import Fetcher


def make_connector(cls: type[Connector], source_id: str, location, schedule: dict, options: dict) -> Connector:
    """`cls` on a source `source_id` at `location` (a folder, file or URL) with `options`; failed fetches are not
    retried and nothing sleeps."""
    source = SourceConfig(id=source_id, connector=cls.name, location=str(location), schedule=schedule,
                          options=options)
    return cls(source, Fetcher(retries=0, sleep=lambda _s: None))


def assert_refused(read: Callable[[Path], object], path: Path, source_id: str, message: str) -> None:
    """Reading `path` (a broken sample) raises a PayloadError that names the source and the file first and then
    says what is wrong (`message`, a regular expression)."""
    with pytest.raises(PayloadError) as info:
        read(path)
    assert str(info.value).startswith(f"source '{source_id}', {path}: ")
    assert re.search(message, str(info.value))


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
