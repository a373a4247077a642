"""LoRaWAN decoders against The Things Network device repository's codec test vectors and TTN's own examples."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml

from cockpit.sources import lorawan as module
from cockpit.sources.base import Document, Payload
from cockpit.sources.config import SourceConfig
from cockpit.sources.http import Fetcher
from cockpit.sources.lorawan import BadMessage, LorawanMqttConnector

THIRD = Path(__file__).parents[1] / "fixtures" / "third_party" / "lorawan"


def vectors(name: str) -> list[dict]:
    return yaml.safe_load((THIRD / name).read_text())["uplinkDecoder"]["examples"]


def connector(tmp_path, **devices) -> LorawanMqttConnector:
    source = SourceConfig(id="fill-level-sensors", connector="ttn-mqtt", location="mqtt://127.0.0.1:1883",
                          schedule={"interval": "PT15M"},
                          options={"devices": devices, "spool_dir": str(tmp_path / "spool")})
    return LorawanMqttConnector(source, Fetcher())


def test_em310_udl_codec_vector_decodes_like_the_repository_codec():
    (example,) = vectors("milesight-em310-udl-codec.yaml")
    data = bytes(example["input"]["bytes"])
    expected = example["output"]["data"]
    decoded = module.read_em310_udl(data)
    assert (decoded["battery"], decoded["distance"], decoded["position"]) == (
        expected["battery"], expected["distance"], expected["tilt"])
    # the vector is a tilted sensor: its 2116 mm are not a fill level and are rejected with the reason
    with pytest.raises(BadMessage, match="reports 'tilt'"):
        module.decode_uplink({"f_port": example["input"]["fPort"],
                              "frm_payload": base64.b64encode(data).decode()},
                             module.MODELS["milesight-em310-udl"], "bytes")


def test_ldds75_codec_vectors_no_sensor_and_unknown_port_are_rejected():
    no_sensor, unknown_port = vectors("dragino-ldds75-codec.yaml")
    assert no_sensor["output"]["data"] == {"distance": "No Sensor"}
    assert unknown_port["output"]["errors"] == ["unknown FPort"]
    model = module.MODELS["dragino-ldds75"]
    for example, reason in ((no_sensor, "No Sensor"), (unknown_port, "f_port 42, expected 2")):
        uplink = {"f_port": example["input"]["fPort"],
                  "frm_payload": base64.b64encode(bytes(example["input"]["bytes"])).decode()}
        with pytest.raises(BadMessage, match=reason):
            module.decode_uplink(uplink, model, "bytes")


def test_ldds75_vector_quoted_in_the_issue_reads_bytes_2_3_as_the_distance():
    # ldds75-codec.yaml (current version, quoted in issue #13): 0D3B0AEF00000001 -> Bat 3.387 V, 2799 mm
    decoded = module.read_dragino_ldds(bytes.fromhex("0D3B0AEF00000001"), "dragino-ldds75")
    assert decoded == {"Bat": 3.387, "Distance_mm": 2799, "Interrupt_flag": 0, "TempC_DS18B20": 0.0,
                       "Sensor_flag": 1}
    assert module.decode_ldds75(bytes.fromhex("0D3B0AEF00000001")) == 2799  # not 3387 (the battery)
    formatted = {"Bat": 3.387, "Distance": "2799 mm", "Interrupt_flag": 0, "TempC_DS18B20": "0.00",
                 "Sensor_flag": 1}
    model = module.MODELS["dragino-ldds75"]
    assert module.decode_uplink({"f_port": 2, "decoded_payload": formatted}, model, "decoded_payload") == 2799
    lb_style = {"battery": 3.387, "distance": 2799, "sensor_flag": 1}  # dds20-lb.js output names
    assert module.decode_uplink({"f_port": 2, "decoded_payload": lb_style}, model, "decoded_payload") == 2799
    for text in ("No Sensor", "Invalid Reading"):
        with pytest.raises(BadMessage, match=text):
            module.decode_uplink({"f_port": 2, "decoded_payload": {**formatted, "Distance": text}}, model,
                                 "decoded_payload")


def test_ldds20_invalid_reading_and_zero_are_not_a_full_container():
    for hex_payload, reason in (("0D3B001400000001", "'Invalid Reading'"), ("0D3B000000000001", "'No Sensor'")):
        with pytest.raises(BadMessage, match=reason):
            module.decode_ldds20(bytes.fromhex(hex_payload))


def test_fill_level_from_configured_empty_and_full_distances():
    model = module.MODELS["dragino-ldds75"]
    assert module.fill_fraction(2799, model, empty_mm=3000, full_mm=500) == pytest.approx((3000 - 2799) / 2500)
    assert module.fill_fraction(400, model, empty_mm=3000, full_mm=500) == 1.0  # nearer than full: overfull
    with pytest.raises(BadMessage, match="blind zone"):
        module.fill_fraction(100, model, empty_mm=3000, full_mm=500)
    with pytest.raises(BadMessage, match="deeper than the container"):
        module.fill_fraction(3500, model, empty_mm=3000, full_mm=500)


def test_ttn_documentation_uplink_example_through_the_connector(tmp_path):
    """TTN's own uplink example (f_port omitted because empty fields are omitted, and a temperature formatter) is
    not a fill-level uplink: rejected with the reason; the same message with an LDDS75 payload on port 2 counts."""
    example = json.loads((THIRD / "ttn-v3-uplink-message-example.json").read_text())
    join = (THIRD / "ttn-v3-join-accept-example.json").read_bytes()
    device = {"model": "dragino-ldds75", "district": "lusan", "empty_mm": 3000, "full_mm": 500}
    c = connector(tmp_path, dev1=device)
    result = c.parse(Payload([Document("up", json.dumps(example).encode()), Document("join", join)]))
    assert result.frame.empty
    assert [r.reason for r in result.rejects] == [
        "up: dragino-ldds75: f_port None, expected 2 (not a measurement uplink)",
        "join: missing uplink_message (not an uplink?)",
    ]
    example["uplink_message"].update(f_port=2, frm_payload=base64.b64encode(bytes.fromhex("0D3B0AEF00000001"))
                                     .decode())
    result = c.parse(Payload([Document("up", json.dumps(example).encode())]))
    assert result.rejects == []
    rows = {(r.district, r.period_start.isoformat()): r.value for r in result.frame.itertuples()}
    assert rows == {("", "2020-02-12T15:00:00+00:00"): pytest.approx(8.04),
                    ("lusan", "2020-02-12T15:00:00+00:00"): pytest.approx(8.04)}
