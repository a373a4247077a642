"""LoRaWAN fill-level sensors: the payload decoders per device family and the fill level they give.

Decoders (options.devices.<id>.model), ported from the codecs of The Things Network device repository
(TheThingsNetwork/lorawan-devices) and tested against its codec test vectors:
- "dragino-ldds75", "dragino-ldds20": port 2, 8 bytes: battery mV (bytes 0-1 & 0x3FFF), distance mm (2-3),
  interrupt flag (4), DS18B20 temperature (5-6), sensor flag (7, must be 1). Distance 0 = "No Sensor".
- "milesight-em310-udl": port 85, channels 01 75 battery, 03 82 distance mm (uint16 LE), 04 00 position
  (1 = tilt -> Reject).
With `payload: decoded_payload` the device's TTN payload formatter output is read instead of the bytes
(e.g. {"Distance": "2799 mm", "Sensor_flag": 1} or {"distance": 2116, "position": "normal"}).
Checks: f_port of the model, sensor flag / position, the sensor's blind zone and range, and the container depth;
fill level = (empty_mm - distance) / (empty_mm - full_mm), clipped to 0..1 and emitted in % (a reading nearer
than full_mm is an overfull container: 100 %). A 0 mm reading is never "100 % full".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass


class BadMessage(ValueError):
    """One uplink cannot be used; the message is the reason shown in the quarantine."""


@dataclass(frozen=True)
class DeviceModel:
    """A sensor model: its uplink port, its physical range (blind zone .. maximum) and its two decoders."""

    name: str
    f_port: int
    min_mm: int  # blind zone: nearer readings are not measurements
    max_mm: int
    decode_bytes: Callable[[bytes], int]  # frm_payload -> distance in mm; BadMessage with the reason
    decode_formatted: Callable[[dict], int]  # decoded_payload of the TTN device-repository formatter -> mm


def read_dragino_ldds(data: bytes, model: str) -> dict:
    """Dragino LDDS75 / LDDS20 (TTN lorawan-devices vendor/dragino, 8-byte uplink on port 2) as its codec
    decodes it: bytes 0-1 battery in mV (masked 0x3FFF), 2-3 distance in mm, 4 interrupt flag, 5-6 DS18B20
    temperature (0.1 degC, signed), 7 sensor flag (1 = ultrasonic sensor connected)."""
    if len(data) != 8:
        raise BadMessage(f"{model}: frm_payload has {len(data)} bytes, expected 8 (No Sensor?)")
    return {
        "Bat": (int.from_bytes(data[0:2], "big") & 0x3FFF) / 1000,
        "Distance_mm": int.from_bytes(data[2:4], "big"),
        "Interrupt_flag": data[4],
        "TempC_DS18B20": int.from_bytes(data[5:7], "big", signed=True) / 10,
        "Sensor_flag": data[7],
    }


def _dragino_ldds(data: bytes, model: str, invalid: Callable[[int], bool]) -> int:
    values = read_dragino_ldds(data, model)
    distance, sensor_flag = values["Distance_mm"], values["Sensor_flag"]
    if sensor_flag != 1:
        raise BadMessage(f"{model}: sensor flag {sensor_flag}: no ultrasonic sensor connected")
    if distance == 0:
        raise BadMessage(f"{model}: distance 0 mm means 'No Sensor', not a full container")
    if invalid(distance):
        raise BadMessage(f"{model}: distance {distance} mm is an 'Invalid Reading' of the sensor")
    return distance


def decode_ldds75(data: bytes) -> int:
    return _dragino_ldds(data, "dragino-ldds75", lambda mm: False)


def decode_ldds20(data: bytes) -> int:
    return _dragino_ldds(data, "dragino-ldds20", lambda mm: mm == 20)


def _dragino_formatted(decoded: dict, model: str) -> int:
    """What the Dragino formatters produce: {"Distance": "2799 mm", "Sensor_flag": 1, ...} (LDDS20 / LDDS75 v1.1+),
    or {"distance": 2799, "sensor_flag": 1} (the -LB variants); "No Sensor" / "Invalid Reading" are texts."""
    value = decoded.get("Distance", decoded.get("distance"))
    flag = decoded.get("Sensor_flag", decoded.get("sensor_flag"))
    if flag is not None and flag != 1:
        raise BadMessage(f"{model}: decoded_payload sensor flag {flag!r}: no ultrasonic sensor connected")
    return _formatted_mm(value, model, "Distance")


def _formatted_mm(value: object, model: str, key: str) -> int:
    if isinstance(value, str):
        text = value.strip()
        number = text[:-2].strip() if text.lower().endswith("mm") else text
        if not number.isdigit():
            raise BadMessage(f"{model}: decoded_payload {key} is {value!r}, not a distance")
        value = int(number)
    if isinstance(value, bool) or not isinstance(value, int | float):
        what = "missing" if value is None else f"{value!r}, not a number"
        raise BadMessage(f"{model}: decoded_payload {key} is {what} (payload formatter not set in TTN?)")
    if value == 0:
        raise BadMessage(f"{model}: distance 0 mm means 'No Sensor', not a full container")
    return int(value)


def read_em310_udl(data: bytes) -> dict:
    """Milesight EM310-UDL (TTN lorawan-devices vendor/milesight-iot/em310-udl, port 85) as its codec decodes
    it: channels of (id, type, value): 01 75 battery %, 03 82 distance in mm (uint16 little-endian), 04 00
    position (0 normal, 1 tilt); an unknown channel ends the readable part."""
    decoded: dict = {}
    i = 0
    while i + 2 <= len(data):
        channel, kind = data[i], data[i + 1]
        i += 2
        if (channel, kind) == (0x01, 0x75) and i < len(data):
            decoded["battery"] = data[i]
            i += 1
        elif (channel, kind) == (0x03, 0x82) and i + 2 <= len(data):
            decoded["distance"] = int.from_bytes(data[i:i + 2], "little")
            i += 2
        elif (channel, kind) == (0x04, 0x00) and i < len(data):
            decoded["position"] = {0: "normal", 1: "tilt"}.get(data[i], "unknown")
            i += 1
        else:
            break
    return decoded


def decode_em310_udl(data: bytes) -> int:
    """The distance of an EM310-UDL uplink; a tilted sensor does not measure the fill level."""
    return _em310_formatted(read_em310_udl(data))


def _em310_formatted(decoded: dict) -> int:
    position = decoded.get("position")
    if position in ("tilt", 1):
        raise BadMessage("milesight-em310-udl: the sensor reports 'tilt'; its distance is not a fill level")
    return _formatted_mm(decoded.get("distance"), "milesight-em310-udl", "distance")


MODELS: dict[str, DeviceModel] = {
    m.name: m
    for m in (
        DeviceModel("dragino-ldds75", 2, 280, 7500, decode_ldds75,
                    lambda d: _dragino_formatted(d, "dragino-ldds75")),
        DeviceModel("dragino-ldds20", 2, 20, 2000, decode_ldds20,
                    lambda d: _dragino_formatted(d, "dragino-ldds20")),
        DeviceModel("milesight-em310-udl", 85, 30, 4500, decode_em310_udl, _em310_formatted),
    )
}


def fill_fraction(distance_mm: int, model: DeviceModel, empty_mm: float, full_mm: float) -> float:
    """(empty - distance) / (empty - full), after the physical checks: inside the sensor's range and not
    deeper than the container (10 % tolerance); a reading nearer than 'full' counts as 100 %."""
    if distance_mm < model.min_mm:
        raise BadMessage(f"{model.name}: distance {distance_mm} mm is inside the sensor's blind zone "
                         f"(< {model.min_mm} mm)")
    if distance_mm > model.max_mm:
        raise BadMessage(f"{model.name}: distance {distance_mm} mm is beyond the sensor's range ({model.max_mm} mm)")
    if distance_mm > empty_mm * 1.1:
        raise BadMessage(f"{model.name}: distance {distance_mm} mm is deeper than the container "
                         f"(empty at {empty_mm:g} mm)")
    return min(1.0, max(0.0, (empty_mm - distance_mm) / (empty_mm - full_mm)))


def decode_uplink(uplink: dict, model: DeviceModel, source: str) -> int:
    """The distance in mm of an uplink, from frm_payload (bytes) or decoded_payload (TTN formatter)."""
    port = uplink.get("f_port")
    if port != model.f_port:
        raise BadMessage(f"{model.name}: f_port {port!r}, expected {model.f_port} (not a measurement uplink)")
    if source == "decoded_payload":
        decoded = uplink.get("decoded_payload")
        if not isinstance(decoded, dict):
            raise BadMessage("no decoded_payload (payload formatter not set in TTN?)")
        return model.decode_formatted(decoded)
    text = uplink.get("frm_payload")
    if not isinstance(text, str) or not text:
        raise BadMessage("missing uplink_message.frm_payload")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadMessage(f"frm_payload {text[:40]!r} is not base64") from None
    return model.decode_bytes(data)
