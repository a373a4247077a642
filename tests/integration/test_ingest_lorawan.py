"""LoRaWAN uplinks from a real Mosquitto broker through the real ingest: stored once, bad messages quarantined once."""

from __future__ import annotations

import uuid

import paho.mqtt.client as mqtt
import pytest

from cockpit.jobs.ingest import Ingestor
from cockpit.sources.config import SourceConfig
from tests.conftest import SAMPLES
from tests.fixtures.services import free_port
from tests.unit.source_support import LORAWAN_DEVICES

FOLDER = SAMPLES / "lorawan"
DEVICES = LORAWAN_DEVICES | {
    "fill-004": {"model": "dragino-ldds75", "district": "nowhere", "empty_mm": 1500, "full_mm": 300},
}
pytestmark = pytest.mark.mqtt


@pytest.fixture
def app():
    return f"gera-{uuid.uuid4().hex[:8]}"


def source(mosquitto, tmp_path, app) -> SourceConfig:
    options = {
        "topic": f"v3/{app}@ttn/devices/+/up",
        "client_id": f"cockpit-{app}",
        "idle_seconds": 0.5,
        "spool_dir": str(tmp_path / "spool"),
        "devices": DEVICES,
    }
    return SourceConfig(
        id="fill-level-sensors",
        connector="ttn-mqtt",
        location=f"mqtt://{mosquitto[0]}:{mosquitto[1]}",
        schedule={"interval": "PT15M"},
        options=options,
    )


def publish(mosquitto, app, names, bodies=(), device="fill-001"):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{app}", protocol=mqtt.MQTTv5)
    client.connect(*mosquitto)
    client.loop_start()
    try:
        for body in [*((FOLDER / name).read_bytes() for name in names), *bodies]:
            client.publish(f"v3/{app}@ttn/devices/{device}/up", body, qos=1).wait_for_publish(timeout=5)
    finally:
        client.loop_stop()
        client.disconnect()


def test_uplinks_are_stored_once_and_bad_ones_quarantined_once(
    mosquitto, tmp_path, sqlite_store, catalog, app
):
    src = source(mosquitto, tmp_path, app)
    ingestor = Ingestor(sqlite_store, catalog)
    assert ingestor.run(src).status == "ok"  # the first run creates the persistent session
    publish(
        mosquitto,
        app,
        [
            "uplink-ultrasonic.json",
            "uplink-ultrasonic-late-in-hour.json",
            "uplink-ultrasonic-lusan.json",
            "uplink-decoded.json",
            "uplink-unknown-device.json",
            "uplink-naive-time.json",
            "uplink-no-echo.json",
        ],
    )
    first = ingestor.run(src)
    second = ingestor.run(src)  # re-delivers the spooled hour: nothing new, no second quarantine entry
    assert (first.status, first.stored, first.rejected) == ("partial", 4, 3)
    assert (second.status, second.stored, second.rejected) == ("ok", 0, 0)
    values = sqlite_store.observations("internal", ["smart-bin-fill-level"], district=None)
    assert {(r.district, r.value) for r in values.itertuples()} == {
        ("stadtmitte", 62.5),
        ("lusan", 80.0),
        ("bieblach-tinz", 75.0),
        ("", 70.0),
    }
    assert sqlite_store.observations("public", ["smart-bin-fill-level"]).empty  # internal indicator
    quarantine = sqlite_store.quarantine("fill-level-sensors")
    assert len(quarantine) == 3 and set(quarantine["run_id"]) == {first.run_id}
    reasons = " | ".join(quarantine["reason"])
    assert "unknown device 'fill-999'" in reasons and "has no time zone" in reasons and "'No Sensor'" in reasons
    assert quarantine["raw"].str.contains('"end_device_ids"').all()


def test_messages_published_while_away_arrive_on_the_next_run(
    mosquitto, tmp_path, sqlite_store, catalog, app
):
    src = source(mosquitto, tmp_path, app)
    Ingestor(sqlite_store, catalog).run(src)
    publish(mosquitto, app, ["uplink-overfull.json", "uplink-empty-container.json"])
    restarted = Ingestor(sqlite_store, catalog)  # a new process: same client id and spool
    outcome = restarted.run(src)
    assert (outcome.status, outcome.stored) == ("ok", 3)  # lusan 100 %, stadtmitte 0 %, city 50 % at 10 UTC
    city = sqlite_store.observations("internal", ["smart-bin-fill-level"])
    assert city["value"].tolist() == [50.0]


def test_unknown_district_is_left_to_validation(mosquitto, tmp_path, sqlite_store, catalog, app):
    src = source(mosquitto, tmp_path, app)
    ingestor = Ingestor(sqlite_store, catalog)
    ingestor.run(src)
    text = (FOLDER / "uplink-ultrasonic.json").read_text().replace('"fill-001"', '"fill-004"')
    publish(mosquitto, app, [], bodies=[text.encode()], device="fill-004")
    outcome = ingestor.run(src)
    # the city-wide mean of the hour is stored; the reading's district is not in the catalog
    assert (outcome.status, outcome.stored, outcome.rejected) == ("partial", 1, 1)
    assert "unknown district 'nowhere'" in sqlite_store.quarantine("fill-level-sensors")["reason"].iloc[0]


def test_unreachable_broker_fails_the_run(tmp_path, sqlite_store, catalog, app):
    src = source(("127.0.0.1", free_port()), tmp_path, app)
    outcome = Ingestor(sqlite_store, catalog).run(src)
    assert outcome.status == "failed" and "source 'fill-level-sensors'" in outcome.error
    assert "cannot connect" in outcome.error
