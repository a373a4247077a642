"""The charging register through the real ingest: stored once, unchanged on the second run, bad rows quarantined."""

from __future__ import annotations

import pytest

from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import SourceConfig
from tests.conftest import SAMPLES
from tests.unit.source_support import charging_register_source

FOLDER = SAMPLES / "charging-register"


def source(catalog, name: str) -> SourceConfig:
    return charging_register_source(catalog, FOLDER / name)


def test_clean_register_is_stored_once(sqlite_store, catalog):
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source(catalog, "register-utf8-bom-3-preamble.csv"))
    second = ingestor.run(source(catalog, "register-utf8-bom-3-preamble.csv"))
    assert (first.status, first.stored, first.rejected) == ("ok", 87 * 9, 0)
    assert (second.status, second.stored, second.rejected) == ("ok", 0, 0)
    city = sqlite_store.observations("public", ["charge-points-per-1000"])
    assert len(city) == 87 and city["value"].iloc[-1] == pytest.approx(8 * 1000 / 93000)
    assert len(sqlite_store.observations("public", ["charge-points-per-1000"], district=None)) == 87 * 9
    assert sqlite_store.watermark("charging-register") == "2024-03-01"


def test_bad_rows_are_quarantined_and_the_run_is_partial(sqlite_store, catalog):
    ingestor = Ingestor(sqlite_store, catalog)
    first = ingestor.run(source(catalog, "register-bad-rows.csv"))
    second = ingestor.run(source(catalog, "register-bad-rows.csv"))
    months = 6 * 12 + 11  # 2017-01 .. 2023-11
    assert (first.status, first.stored, first.rejected) == ("partial", months * 9, 14)
    assert (second.status, second.stored) == (
        "partial",
        0,
    )  # the register is re-read whole: same rejects again
    quarantine = sqlite_store.quarantine("charging-register", run_id=first.run_id)
    assert len(quarantine) == 14
    reasons = " | ".join(quarantine["reason"])
    assert "line 6: date '31.02.2021' is not dd.mm.yyyy" in reasons
    assert "line 11: Postleitzahl '07580' is not mapped to a district" in reasons
    assert "line 12: duplicate Ladeeinrichtungs-ID 4001" in reasons
    assert quarantine["raw"].str.startswith("40").all()  # the original CSV line
    latest = sqlite_store.observations("public", ["charge-points-per-1000"])["value"].iloc[-1]
    assert latest == pytest.approx(6 * 1000 / 93000)


@pytest.mark.parametrize(
    "name, problem",
    [
        ("register-error-page.html", "HTML/XML page instead of CSV"),
        ("register-truncated.csv", "truncated file"),
    ],
)
def test_unusable_file_fails_the_run_and_stores_nothing(sqlite_store, catalog, name, problem):
    outcome = Ingestor(sqlite_store, catalog).run(source(catalog, name))
    assert outcome.status == "failed"
    assert "source 'charging-register'" in outcome.error and problem in outcome.error
    assert sqlite_store.is_empty()
    runs = sqlite_store.runs("charging-register")
    assert runs["status"].tolist() == ["failed"] and problem in runs["error"].iloc[0]
