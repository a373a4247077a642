"""Statistics tables through the real ingest: demo sources, bad rows, duplicates and out-of-range values."""

from __future__ import annotations

import pytest

from cockpit import PROJECT_ROOT
from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import SourceConfig, load_sources
from tests.conftest import SAMPLES
from tests.unit.source_support import WASTE


def waste_source(name: str) -> SourceConfig:
    return SourceConfig(
        id="waste-balance",
        connector="statistics-csv",
        location=str(SAMPLES / "statistics" / name),
        schedule={"cron": "0 4 * * 1"},
        options=WASTE,
    )


@pytest.mark.parametrize(
    "source_id", ["waste-balance", "climate-balance", "vehicle-stock", "passenger-counts"]
)
def test_demo_source_is_stored_once(sqlite_store, catalog, source_id):
    source = next(s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == source_id)
    ingestor = Ingestor(sqlite_store, catalog)
    first, second = ingestor.run(source), ingestor.run(source)
    assert first.status == "ok" and first.rejected == 0 and first.stored == first.rows_read > 0
    assert (second.status, second.stored, second.rejected) == ("ok", 0, 0)
    assert sqlite_store.quarantine(source_id).empty


def test_bad_rows_are_quarantined_and_the_valid_rows_stored(sqlite_store, catalog):
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(waste_source("abfall-bad-rows.csv"))
    second = ingestor.run(waste_source("abfall-bad-rows.csv"))
    # parse: 5 bad lines + 2 divisions by zero; validation: 1 duplicate month with another value per indicator
    # (3) and the July household waste beyond the plausible 150 kg per month
    assert first.status == "partial" and first.rejected == 5 + 2 + 3 + 1
    assert second.status == "partial" and second.stored == 0
    quarantine = sqlite_store.quarantine("waste-balance", run_id=first.run_id)
    reasons = quarantine["reason"].tolist()
    assert any(r.startswith("line 3: period '13/2023'") for r in reasons)
    assert any(r.startswith("line 6: column 'Bioabfall_t': 'k.A.' is not a number") for r in reasons)
    assert any(r.startswith("line 12: truncated record") for r in reasons)
    assert any("duplicate record for recycling-rate" in r for r in reasons)
    assert any("outside the plausible range" in r and "household-waste-per-inhabitant" in r for r in reasons)
    assert all(quarantine["raw"].str.contains("/2023"))
    stored = sqlite_store.observations(
        "public", ["household-waste-per-inhabitant", "residual-waste-per-inhabitant", "recycling-rate"]
    )
    months = stored["period_start"].dt.tz_convert("Europe/Berlin").dt.strftime("%m")
    household = stored[stored["indicator"] == "household-waste-per-inhabitant"]
    assert sorted(months[household.index]) == [
        "01",
        "06",
    ]  # 04: empty glass cell, 05: no inhabitants, 07: range
    june = stored[(stored["indicator"] == "residual-waste-per-inhabitant") & (months == "06")]
    assert june["value"].tolist() == [
        pytest.approx((1309.0 + 232.5) * 1000 / 93000)
    ]  # the last duplicate wins


def test_missing_column_fails_the_run(sqlite_store, catalog):
    outcome = Ingestor(sqlite_store, catalog).run(waste_source("missing-column.csv"))
    assert outcome.status == "failed" and "missing column(s) 'Einwohner'" in outcome.error
    assert "source 'waste-balance'" in outcome.error and sqlite_store.is_empty()
