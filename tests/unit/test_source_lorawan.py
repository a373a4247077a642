"""LoRaWAN fill-level connector: TTN v3 uplinks, decoders, hourly means, the spool, and a real Mosquitto broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import pandas as pd
import pytest

from cockpit.sources import lorawan as module
from cockpit.sources.base import Document, Payload
from cockpit.sources.config import SourceConfig, SourcesError
from cockpit.sources.http import Fetcher, FetchError
from cockpit.sources.lorawan import LorawanMqttConnector, Spool
from tests.conftest import SAMPLES
from tests.fixtures.services import free_port
from tests.unit.source_support import LORAWAN_DEVICES, hourly_means

FOLDER = SAMPLES / "lorawan"
DEVICES = LORAWAN_DEVICES | {
    "fill-004": {"model": "milesight-em310-udl", "district": "lusan", "empty_mm": 1200, "full_mm": 200},
}
GOOD = [
    "uplink-ultrasonic.json",
    "uplink-ultrasonic-late-in-hour.json",
    "uplink-ultrasonic-lusan.json",
    "uplink-decoded.json",
    "uplink-overfull.json",
    "uplink-empty-container.json",
]


def connector(tmp_path, location="mqtt://127.0.0.1:1883", **options) -> LorawanMqttConnector:
    opts = {"devices": DEVICES, "spool_dir": str(tmp_path / "spool"), **options}
    source = SourceConfig(
        id="fill-level-sensors",
        connector="ttn-mqtt",
        location=location,
        schedule={"interval": "PT15M"},
        options=opts,
    )
    return LorawanMqttConnector(source, Fetcher())


def document(name: str) -> Document:
    return Document(name=f"v3/gera-waste@ttn/devices/x/up ({name})", content=(FOLDER / name).read_bytes())


def parse(tmp_path, names, meta=None, **options):
    return connector(tmp_path, **options).parse(Payload([document(n) for n in names], meta or {}))


# ---------------------------------------------------------------------------------------------- parse
def test_uplinks_become_hourly_means_per_district_and_city(tmp_path):
    result = parse(tmp_path, GOOD)
    assert result.rejects == []
    assert hourly_means(result.frame) == {
        # fill-001 (LDDS75, empty 1500 mm, full 300 mm) 900 mm and 600 mm -> 50 %, 75 %;
        # fill-002 (LDDS20) 540 mm -> 80 %; fill-003 (EM310-UDL formatter output, 1200/200 mm) 450 mm -> 75 %
        "09:00": {"stadtmitte": 62.5, "lusan": 80.0, "bieblach-tinz": 75.0, "city": 70.0},
        # 250 mm, nearer than full (300 mm) -> 100 % (clipped); 1600 mm, below empty (1500 mm) -> 0 %
        "10:00": {"lusan": 100.0, "stadtmitte": 0.0, "city": 50.0},
    }
    frame = result.frame
    assert set(frame["indicator"]) == {"smart-bin-fill-level"}
    assert frame["period_start"].min() == pd.Timestamp(datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert (frame["period_end"] - frame["period_start"] == pd.Timedelta(hours=1)).all()
    assert result.watermark == "2026-11-20T10:20:00Z"
    city = frame[(frame["district"] == "") & (frame["period_start"].dt.hour == 9)].iloc[0]
    assert city["raw"] == "4 readings of 3 sensors: fill-001, fill-002, fill-003"


BAD = {
    "uplink-unknown-device.json": "unknown device 'fill-999' (not in options.devices)",
    "uplink-naive-time.json": "received_at: timestamp '2026-11-20T09:15:00' has no time zone",
    "uplink-bad-time.json": "received_at: unparsable timestamp 'gestern'",
    "uplink-missing-received-at.json": "missing received_at",
    "uplink-missing-device-id.json": "missing end_device_ids.device_id",
    "uplink-bad-base64.json": "is not base64",
    "uplink-short-payload.json": "dragino-ldds75: frm_payload has 4 bytes, expected 8 (No Sensor?)",
    "uplink-no-echo.json": "dragino-ldds20: distance 0 mm means 'No Sensor', not a full container",
    "uplink-no-frm-payload.json": "missing uplink_message.frm_payload",
    "uplink-no-decoded-payload.json": "no decoded_payload (payload formatter not set in TTN?)",
    "uplink-distance-string.json": "decoded_payload distance is 'Invalid Reading', not a distance",
    "uplink-negative-distance.json": "milesight-em310-udl: distance 0 mm means 'No Sensor', not a full container",
    "uplink-implausible-distance.json": "distance 4000 mm is deeper than the container (empty at 1200 mm)",
    "uplink-no-sensor-flag.json": "dragino-ldds75: sensor flag 0: no ultrasonic sensor connected",
    "uplink-wrong-port.json": "dragino-ldds75: f_port 5, expected 2 (not a measurement uplink)",
    "uplink-blind-zone.json": "dragino-ldds75: distance 200 mm is inside the sensor's blind zone (< 280 mm)",
    "uplink-tilt.json": "milesight-em310-udl: the sensor reports 'tilt'; its distance is not a fill level",
    "join-accept.json": "missing uplink_message (not an uplink?)",
    "uplink-truncated.json": "not JSON",
    "uplink-not-json.txt": "not JSON",
    "uplink-array.json": "expected a JSON object, got list",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_message_is_rejected_while_the_good_ones_count(tmp_path, name):
    result = parse(tmp_path, [*GOOD, name])
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert BAD[name] in reject.reason and f"({name})" in reject.reason
    assert reject.raw  # the message text goes to the quarantine
    assert hourly_means(result.frame)["09:00"]["city"] == 70.0


def test_message_beyond_max_message_bytes(tmp_path):
    big = json.loads((FOLDER / "uplink-ultrasonic.json").read_text())
    big["padding"] = "x" * 3000
    result = connector(tmp_path, max_message_bytes=1024).parse(
        Payload([Document("t", json.dumps(big).encode())])
    )
    assert result.frame.empty and "exceeds max_message_bytes (1024)" in result.rejects[0].reason


def test_duplicate_deliveries_count_once(tmp_path):
    result = parse(
        tmp_path, ["uplink-ultrasonic.json", "uplink-ultrasonic.json", "uplink-ultrasonic-late-in-hour.json"]
    )
    assert result.rejects == []
    assert hourly_means(result.frame)["09:00"]["stadtmitte"] == 62.5
    assert "2 readings of 1 sensors" in result.frame["raw"].iloc[0]


def test_rejects_only_for_fresh_messages_but_values_from_all(tmp_path):
    names = [
        "uplink-ultrasonic.json",
        "uplink-unknown-device.json",
        "uplink-ultrasonic-lusan.json",
        "uplink-naive-time.json",
    ]
    result = parse(tmp_path, names, meta={"fresh": [2, 3], "closed_before": None})
    assert [r.reason.split(": ", 1)[1] for r in result.rejects] == [
        "received_at: timestamp '2026-11-20T09:15:00' has no time zone"
    ]
    # re-delivered fill-001 (50 %) and fresh fill-002 (80 %)
    assert hourly_means(result.frame)["09:00"]["city"] == 65.0


def test_late_messages_for_closed_hours_are_quarantined_not_averaged(tmp_path):
    meta = {"fresh": [0, 1], "closed_before": "2026-11-20T10:00:00Z"}
    result = parse(tmp_path, ["uplink-ultrasonic.json", "uplink-overfull.json"], meta=meta)
    assert hourly_means(result.frame) == {"10:00": {"lusan": 100.0, "city": 100.0}}
    assert (
        len(result.rejects) == 1
        and "late: the hour 2026-11-20 09:00 UTC was already closed" in result.rejects[0].reason
    )


# ---------------------------------------------------------------------------------------------- options
@pytest.mark.parametrize(
    "change, problem",
    [
        (
            {"devices": {"x": {"model": "laser-v9", "district": "lusan", "empty_mm": 1000, "full_mm": 100}}},
            "unknown device model 'laser-v9'",
        ),
        (
            {"devices": {"x": {"model": "dragino-ldds75", "district": "lusan", "empty_mm": 0, "full_mm": 0}}},
            "empty_mm",
        ),
        (
            {"devices": {"x": {"model": "dragino-ldds75", "district": "lusan", "empty_mm": 500, "full_mm": 900}}},
            "full_mm (900) must be less than empty_mm (500)",
        ),
        ({"qos": 0}, "options.qos"),
        ({"devices": {}}, "options.devices"),
    ],
)
def test_invalid_options_are_refused(tmp_path, change, problem):
    with pytest.raises(SourcesError, match="source 'fill-level-sensors'") as info:
        connector(tmp_path, **change)
    assert problem in str(info.value)


def test_location_must_be_an_mqtt_url(tmp_path):
    with pytest.raises(SourcesError, match="must be mqtt://host:port"):
        connector(tmp_path, location="http://127.0.0.1:1883")
    assert connector(tmp_path, location="mqtts://eu1.cloud.thethings.network").port == 8883


# ---------------------------------------------------------------------------------------------- spool (no broker)
def spool_payload(conn: LorawanMqttConnector, *names):
    """What a fetch returns after on_message spooled these samples (the broker part left out)."""
    spool = Spool(conn.spool_folder)
    spool.drop_inflight()
    state = spool.load_state()
    seq = max([state.delivered_through, *(m.seq for ms in spool.files().values() for m in ms)]) + 1
    for offset, name in enumerate(names):
        spool.append(seq + offset, "v3/gera-waste@ttn/devices/x/up", (FOLDER / name).read_bytes())
    return conn._payload(spool, state)


def test_spool_files_per_hour_and_unreadable(tmp_path):
    conn = connector(tmp_path)
    payload = spool_payload(conn, "uplink-ultrasonic.json", "uplink-overfull.json", "uplink-naive-time.json")
    names = sorted(p.name for p in conn.spool_folder.glob("*.jsonl*"))
    assert names == ["20261120T09.jsonl", "20261120T10.jsonl", "unreadable.jsonl"]  # fresh: nothing retired
    assert payload.meta["fresh"] == [0, 1, 2] and len(payload.documents) == 3


def test_each_message_is_delivered_at_least_twice_then_retired(tmp_path):
    conn = connector(tmp_path, retain_hours=1)
    first = spool_payload(conn, "uplink-ultrasonic.json", "uplink-naive-time.json")
    assert len(first.documents) == 2 and first.meta["fresh"] == [0, 1]
    # a later hour arrives: 09 is still within one hour of 10 -> delivered again; the unreadable file is retired
    second = spool_payload(conn, "uplink-overfull.json")
    assert len(second.documents) == 3 and second.meta["fresh"] == [2]
    assert (conn.spool_folder / "unreadable.jsonl.inflight").exists()
    assert conn.parse(second).rejects == []  # re-delivered bad message: quarantined the first time only
    # an uplink two hours later: 09 falls out of the window and is delivered one last time as .inflight
    later = json.loads((FOLDER / "uplink-overfull.json").read_text())
    later["received_at"] = "2026-11-20T11:40:00Z"
    (tmp_path / "later.json").write_text(json.dumps(later))
    spool = Spool(conn.spool_folder)
    spool.drop_inflight()
    state = spool.load_state()
    spool.append(4, "t", (tmp_path / "later.json").read_bytes())
    third = conn._payload(spool, state)
    assert len(third.documents) == 3  # 09 (last time), 10, 11
    assert sorted(p.name for p in conn.spool_folder.glob("*.jsonl*")) == [
        "20261120T09.jsonl.inflight",
        "20261120T10.jsonl",
        "20261120T11.jsonl",
    ]
    assert spool.load_state().closed_before == datetime(2026, 11, 20, 10, tzinfo=UTC)
    # next fetch: the retired hour is gone, and a straggler for it is late
    fourth = spool_payload(conn, "uplink-ultrasonic-late-in-hour.json")
    result = conn.parse(fourth)
    assert "late: the hour 2026-11-20 09:00 UTC" in result.rejects[0].reason
    assert "stadtmitte" not in hourly_means(result.frame).get("09:00", {})


def test_torn_spool_line_is_skipped(tmp_path):
    conn = connector(tmp_path)
    spool_payload(conn, "uplink-ultrasonic.json")
    with open(conn.spool_folder / "20261120T09.jsonl", "a") as handle:
        handle.write('{"seq": 9, "topic": "t", "payl')
    payload = spool_payload(conn)
    assert len(payload.documents) == 1


# ---------------------------------------------------------------------------------------------- with Mosquitto
def publish(broker, topic: str, payloads: list[bytes]) -> None:
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"publisher-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5
    )
    client.connect(*broker)
    client.loop_start()
    try:
        for body in payloads:
            client.publish(topic, body, qos=1).wait_for_publish(timeout=5)
    finally:
        client.loop_stop()
        client.disconnect()


def broker_connector(tmp_path, broker, **options):
    app = f"app-{uuid.uuid4().hex[:8]}"
    conn = connector(
        tmp_path,
        location=f"mqtt://{broker[0]}:{broker[1]}",
        topic=f"v3/{app}@ttn/devices/+/up",
        client_id=f"cockpit-{app}",
        idle_seconds=0.5,
        **options,
    )
    return conn, f"v3/{app}@ttn/devices/fill-001/up"


def samples(*names) -> list[bytes]:
    return [(FOLDER / n).read_bytes() for n in names]


@pytest.mark.mqtt
def test_publish_fetch_parse(mosquitto, tmp_path):
    conn, topic = broker_connector(tmp_path, mosquitto)
    conn.fetch(None)  # first connection creates the persistent session and the subscription
    publish(mosquitto, topic, samples(*GOOD[:4]))
    payload = conn.fetch(None)
    assert [d.name for d in payload.documents] == [topic] * 4
    assert hourly_means(conn.parse(payload).frame)["09:00"]["city"] == 70.0


@pytest.mark.mqtt
def test_persistent_session_queues_messages_while_the_cockpit_is_away(mosquitto, tmp_path):
    conn, topic = broker_connector(tmp_path, mosquitto)
    assert conn.fetch(None).documents == []  # subscribes; the session outlives the disconnect
    publish(
        mosquitto,
        topic,
        samples("uplink-ultrasonic.json", "uplink-ultrasonic-late-in-hour.json", "uplink-overfull.json"),
    )
    restarted = LorawanMqttConnector(conn.source, Fetcher())
    payload = restarted.fetch(None)  # a new process: same client id, so the broker hands over the queue
    assert len(payload.documents) == 3 and payload.meta["fresh"] == [0, 1, 2]


@pytest.mark.mqtt
def test_spooled_messages_survive_a_crash_before_the_ingest(mosquitto, tmp_path):
    conn, topic = broker_connector(tmp_path, mosquitto)
    conn.fetch(None)
    publish(mosquitto, topic, samples("uplink-ultrasonic.json", "uplink-unknown-device.json"))
    lost = conn.fetch(None)  # acknowledged to the broker, then the process dies before the commit
    assert len(lost.documents) == 2
    again = LorawanMqttConnector(conn.source, Fetcher()).fetch(None)  # the restarted process
    assert len(again.documents) == 2 and again.meta["fresh"] == []  # re-delivered from the spool
    assert hourly_means(conn.parse(again).frame)["09:00"]["stadtmitte"] == 50.0


@pytest.mark.mqtt
def test_message_is_not_acknowledged_when_spooling_fails(mosquitto, tmp_path, monkeypatch):
    conn, topic = broker_connector(tmp_path, mosquitto)
    conn.fetch(None)
    publish(mosquitto, topic, samples("uplink-ultrasonic.json"))

    def disk_full(self, seq, topic, payload):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(Spool, "append", disk_full)
        with pytest.raises(OSError, match="No space left"):
            conn.fetch(None)
    payload = conn.fetch(None)  # the broker kept the unacknowledged message and delivers it again
    assert len(payload.documents) == 1 and payload.meta["fresh"] == [0]


@pytest.mark.mqtt
def test_max_messages_leaves_the_rest_queued(mosquitto, tmp_path):
    conn, topic = broker_connector(tmp_path, mosquitto, max_messages=2)
    conn.fetch(None)
    publish(mosquitto, topic, samples(*GOOD[:5]))
    sizes = [len(conn.fetch(None).meta["fresh"]) for _ in range(3)]
    assert sizes == [2, 2, 1]  # the rest is not acknowledged, so the broker keeps it for the next fetch


def test_unreachable_broker_is_a_fetch_error_naming_the_source(tmp_path):
    conn = connector(tmp_path, location=f"mqtt://127.0.0.1:{free_port()}", connect_timeout=1)
    with pytest.raises(
        FetchError, match="source 'fill-level-sensors': MQTT broker 127.0.0.1:.*cannot connect"
    ):
        conn.fetch(None)


def test_sample_bytes_and_formatter_output_agree():
    """The project's samples carry both frm_payload and the decoded_payload the TTN formatter gives for it."""
    for name in ("uplink-ultrasonic.json", "uplink-decoded.json", "uplink-overfull.json"):
        uplink = json.loads((FOLDER / name).read_text())["uplink_message"]
        model = module.MODELS["dragino-ldds75" if uplink["f_port"] == 2 else "milesight-em310-udl"]
        assert module.decode_uplink(uplink, model, "bytes") == module.decode_uplink(uplink, model, "decoded_payload")


def test_shipped_entry_is_valid_and_disabled():
    from cockpit import PROJECT_ROOT
    from cockpit.sources.config import load_sources

    source = next(
        s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "fill-level-sensors"
    )
    conn = LorawanMqttConnector(source, Fetcher())
    assert source.enabled is False and (conn.host, conn.port) == ("127.0.0.1", 1883)
    assert conn.options.qos == 1 and conn.options.client_id == "smartcity-cockpit-fill-level"
    assert conn.spool_folder == PROJECT_ROOT / "var" / "spool" / "fill-level-sensors"
