"""NGSI through the real ingest: WasteContainer entities from a paging broker stand-in into a temp SQLite store."""

from __future__ import annotations

import json

import pytest

from cockpit.jobs.ingest import Ingestor
from tests.conftest import SAMPLES
from tests.unit.source_support import source_config
from tests.unit.test_source_ngsi import POSTCODES, MiniBroker

FOLDER = SAMPLES / "ngsi" / "v2-keyvalues"


def test_ngsi_ingest_twice_then_a_later_poll(httpserver, sqlite_store, catalog):
    broker = MiniBroker(httpserver, json.loads((FOLDER / "entities.json").read_text()))
    source = source_config("waste-containers", "ngsi", httpserver.url_for("/"), {"interval": "PT30M"},
                           {"flavour": "v2", "service": "gera", "service_path": "/waste", "page_size": 5,
                            "postcodes": POSTCODES})
    ingestor = Ingestor(sqlite_store, catalog)

    first = ingestor.run(source)
    assert (first.status, first.stored, first.rejected, first.error) == ("partial", 6, 10, None)
    stored = sqlite_store.observations("internal", district=None)
    by_key = {(r.period_start.hour, r.district or "city"): r.value for r in stored.itertuples()}
    assert by_key == pytest.approx(
        {
            (10, "city"): 52.0,
            (10, "stadtmitte"): 50.0,
            (10, "lusan"): 55.0,
            (10, "zwoetzen-liebschwitz"): 50.0,
            (11, "city"): 65.0,
            (11, "stadtmitte"): 65.0,
        }
    )
    quarantine = sqlite_store.quarantine("waste-containers")
    assert "wastecontainer:gera:006: status 'vandalized': the fill level cannot be trusted" in set(
        quarantine["reason"]
    )
    assert len(quarantine) == 10

    second = ingestor.run(source)
    assert (second.status, second.rows_read, second.stored, second.rejected) == ("ok", 0, 0, 0)
    assert len(sqlite_store.quarantine("waste-containers")) == 10

    broker.entities = json.loads((FOLDER / "entities-later.json").read_text())
    third = ingestor.run(source)
    assert (third.status, third.stored, third.rejected) == ("ok", 2, 0)
    stored = sqlite_store.observations("internal", district=None)
    assert stored.loc[stored["period_start"].dt.hour == 11, "value"].tolist() == pytest.approx([53.5, 53.5])
    assert sqlite_store.watermark("waste-containers") == "2024-05-01T11:21:00Z"
