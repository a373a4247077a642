"""LoRaWAN fill-level sensors: The Things Network v3 uplinks over MQTT -> hourly mean fill level per district.

Fetching. The connector is an MQTT v5 client with a fixed client id that connects with clean_start=False and a
session expiry interval and subscribes with QoS 1: while the cockpit is away (restart, deploy, crash) the broker
keeps the session and queues the uplinks. fetch() connects, takes the queued and arriving messages until none came
for `idle_seconds` (or `max_messages` / `max_seconds` is reached), disconnects and returns the spooled messages as
Documents (one per message: the topic as name, the payload bytes as content).

Where a message could still be lost, and how that is closed. The broker forgets a QoS 1 message once it has the
PUBACK, but the ingest commits to the database only after fetch() returned. So every message is appended to a
spool file and fsync'ed inside on_message, and only then acknowledged (paho's manual_ack): a crash before the fsync
means no PUBACK, so the broker delivers the message again. The connector cannot see the commit, so it re-delivers
instead: the spool keeps one JSONL file per UTC hour of `received_at`, and every fetch returns all spooled hours
from the newest one back `retain_hours` (measured in the data, not on the clock); an hour file that has fallen out
of that window and holds no message new in this fetch is renamed to `<file>.inflight`, delivered one last time and
deleted at the start of the following fetch.
Each message thus reaches at least two payloads (a failed ingest loses nothing; the idempotent upsert makes the
repetition harmless), and each hourly mean is always computed from all messages of its hour. What remains: a
message is lost only if every ingest that got it failed (the database was down for the whole retention window and
one more fetch), or with the disk holding the spool. A message arriving for an hour that was already closed and
removed from the spool is quarantined as late, so it cannot overwrite that hour's complete mean with a partial one.
Rejects are reported only for messages new in a fetch (payload.meta["fresh"]), so re-deliveries do not fill the
quarantine twice. At-least-once delivery can duplicate a message; duplicates (device, received_at, f_cnt) count once.

Parsing. Per uplink: end_device_ids.device_id (must be in options.devices), received_at (RFC 3339 with a zone),
the fill level from the device model's decoder -> one reading in the device's district, in the hour of received_at.
Per (district, hour) the mean of the readings is emitted, plus the city-wide mean of all readings of the hour.
A message that is not JSON, lacks a field, names an unknown device, has a timestamp without zone or a payload the
decoder cannot read becomes a Reject with the reason.

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
import fcntl
import json
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cockpit import PROJECT_ROOT
from cockpit.sources._time import floor_hour, iso_utc, parse_instant
from cockpit.sources.base import (
    CITYWIDE,
    Connector,
    Document,
    ParseResult,
    Payload,
    Reject,
    make_frame,
    raw_text,
)
from cockpit.sources.config import SourcesError
from cockpit.sources.http import FetchError

log = logging.getLogger(__name__)

HOUR_FORMAT = "%Y%m%dT%H"
UNREADABLE = "unreadable"


class BadMessage(ValueError):
    """One uplink cannot be used; the message is the reason shown in the quarantine."""


# ------------------------------------------------------------------------------------------------ decoders
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


# ------------------------------------------------------------------------------------------------ options
class Device(BaseModel):
    """One sensor: its model, district, and the distances from the sensor to the surface when the container is
    empty (its bottom) and when it counts as full, in mm."""

    model_config = ConfigDict(extra="forbid")

    model: str
    district: str = Field(min_length=1)
    empty_mm: float = Field(gt=0)
    full_mm: float = Field(ge=0)
    payload: Literal["bytes", "decoded_payload"] = "bytes"  # decoded_payload: TTN payload formatter enabled

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value not in MODELS:
            raise ValueError(f"unknown device model {value!r} (known: {', '.join(sorted(MODELS))})")
        return value

    @model_validator(mode="after")
    def _distances(self):
        if self.full_mm >= self.empty_mm:
            raise ValueError(f"full_mm ({self.full_mm:g}) must be less than empty_mm ({self.empty_mm:g})")
        return self


class LorawanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str = "v3/+/devices/+/up"  # e.g. v3/<app>@ttn/devices/+/up
    client_id: str = Field(default="smartcity-cockpit", min_length=1, max_length=64)
    qos: Literal[1, 2] = 1  # QoS 0 messages are not queued for an absent client
    username: str | None = None
    password: str | None = None
    keepalive: int = Field(default=60, ge=5)
    session_expiry_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    connect_timeout: float = Field(default=10.0, gt=0)
    idle_seconds: float = Field(default=1.0, gt=0)
    max_messages: int = Field(default=10_000, ge=1)
    max_seconds: float = Field(default=120.0, gt=0)
    max_message_bytes: int = Field(default=65_536, ge=256)
    retain_hours: int = Field(default=3, ge=1, le=168)
    spool_dir: Path | None = None  # default var/spool; each source spools into its own subfolder
    indicator: str = "smart-bin-fill-level"
    devices: dict[str, Device] = Field(min_length=1)


# ------------------------------------------------------------------------------------------------ spool
@dataclass(frozen=True)
class Spooled:
    seq: int
    topic: str
    payload: bytes


@dataclass
class SpoolState:
    closed_before: datetime | None = None  # hours before this were delivered for the last time and removed
    delivered_through: int = 0  # highest sequence number already returned by a fetch


class Spool:
    """Received messages on disk: one JSONL file per UTC hour of received_at, fsync'ed before the PUBACK."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        """One fetch per spool at a time (a timed-out fetch may still be running in its thread)."""
        with open(self.folder / ".lock", "w") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise FetchError(f"spool {self.folder} is locked by another fetch") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(self, seq: int, topic: str, payload: bytes) -> None:
        path = self.folder / f"{_hour_key(payload)}.jsonl"
        new = not path.exists()
        line = json.dumps({"seq": seq, "topic": topic, "payload": base64.b64encode(payload).decode("ascii")})
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if new:
            _fsync_dir(self.folder)

    def files(self) -> dict[Path, list[Spooled]]:
        return {path: self.read(path) for path in sorted(self.folder.glob("*.jsonl"))}

    def read(self, path: Path) -> list[Spooled]:
        messages = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                item = json.loads(line)
                messages.append(
                    Spooled(int(item["seq"]), str(item["topic"]), base64.b64decode(item["payload"]))
                )
            except (ValueError, KeyError, TypeError):
                # a line torn by a crash during the write: it was never acknowledged, the broker sends it again
                log.warning("%s: skipping unreadable spool line %s", path, number)
        return messages

    def retire(self, path: Path) -> None:
        path.rename(path.with_name(path.name + ".inflight"))

    def drop_inflight(self) -> None:
        for path in self.folder.glob("*.inflight"):
            path.unlink()

    def load_state(self) -> SpoolState:
        path = self.folder / "state.json"
        if not path.exists():
            return SpoolState()
        data = json.loads(path.read_text(encoding="utf-8"))
        closed = data.get("closed_before")
        return SpoolState(parse_instant(closed) if closed else None, int(data.get("delivered_through", 0)))

    def save_state(self, state: SpoolState) -> None:
        path, tmp = self.folder / "state.json", self.folder / "state.json.tmp"
        closed = iso_utc(state.closed_before) if state.closed_before else None
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"closed_before": closed, "delivered_through": state.delivered_through}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
        _fsync_dir(self.folder)


def _hour_key(payload: bytes) -> str:
    """The spool file of a message: the UTC hour of its received_at, or 'unreadable'."""
    try:
        stamp = parse_instant(json.loads(payload.decode("utf-8")).get("received_at"))
    except (ValueError, AttributeError, UnicodeDecodeError):
        return UNREADABLE
    return floor_hour(stamp).strftime(HOUR_FORMAT)


def _file_hour(path: Path) -> datetime | None:
    try:
        return datetime.strptime(path.stem, HOUR_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------------ MQTT session
@dataclass
class _Session:
    spool: Spool
    next_seq: int
    connack: Any = None
    suback: list | None = None
    received: int = 0
    last_activity: float = field(default_factory=time.monotonic)
    disconnected: bool = False


def _broker(location: str, source_id: str) -> tuple[str, int, bool]:
    parts = urlsplit(location)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise SourcesError(
            f"source '{source_id}': location {location!r} must be mqtt://host:port or mqtts://host:port"
        )
    tls = parts.scheme == "mqtts"
    return parts.hostname, parts.port or (8883 if tls else 1883), tls


@dataclass(frozen=True)
class Reading:
    device: str
    district: str
    received_at: datetime
    f_cnt: object
    fill: float


class LorawanMqttConnector(Connector):
    name = "ttn-mqtt"
    Options = LorawanOptions

    def __init__(self, source, fetcher):
        super().__init__(source, fetcher)
        self.host, self.port, self.tls = _broker(source.location, source.id)

    @property
    def spool_folder(self) -> Path:
        base = self.options.spool_dir or PROJECT_ROOT / "var" / "spool"
        return (base if base.is_absolute() else PROJECT_ROOT / base) / self.source.id

    # ------------------------------------------------------------------ fetch
    def fetch(self, watermark: str | None) -> Payload:
        spool = Spool(self.spool_folder)
        with spool.lock(self.options.connect_timeout):
            spool.drop_inflight()  # delivered as a live hour file and once more when retired
            state = spool.load_state()
            seqs = [m.seq for messages in spool.files().values() for m in messages]
            self._collect(spool, max([state.delivered_through, *seqs]) + 1)
            return self._payload(spool, state)

    def _payload(self, spool: Spool, state: SpoolState) -> Payload:
        files = spool.files()
        hours = {path: _file_hour(path) for path in files}
        known = [h for h in hours.values() if h is not None]
        cutoff = max(known) - timedelta(hours=self.options.retain_hours) if known else None
        fresh = {
            path for path, messages in files.items() if any(m.seq > state.delivered_through for m in messages)
        }
        retire = [
            path for path in files if path not in fresh and (hours[path] is None or hours[path] < cutoff)
        ]
        messages = sorted((m for ms in files.values() for m in ms), key=lambda m: m.seq)
        documents = [
            Document(name=m.topic, content=m.payload, content_type="application/json") for m in messages
        ]
        meta = {
            "fresh": [i for i, m in enumerate(messages) if m.seq > state.delivered_through],
            "closed_before": iso_utc(state.closed_before) if state.closed_before else None,
        }
        staying = [hours[p] for p in files if p not in retire and hours[p] is not None]
        closed = state.closed_before
        if cutoff is not None:
            candidate = min([cutoff, *staying])
            closed = candidate if closed is None else max(closed, candidate)
        delivered = max([state.delivered_through, *(m.seq for m in messages)])
        spool.save_state(SpoolState(closed, delivered))
        for path in retire:
            spool.retire(path)
        return Payload(documents=documents, meta=meta)

    def _collect(self, spool: Spool, next_seq: int) -> int:
        opts = self.options
        session = _Session(spool, next_seq)
        client = self._client(session)
        where = f"source '{self.source.id}': MQTT broker {self.host}:{self.port}"
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = opts.session_expiry_seconds
        try:
            client.connect(self.host, self.port, opts.keepalive, clean_start=False, properties=properties)
        except (OSError, ValueError) as exc:
            raise FetchError(f"{where}: cannot connect: {exc}") from None
        try:
            self._until(client, session, lambda: session.connack is not None, f"{where}: no CONNACK")
            if session.connack.is_failure:
                raise FetchError(f"{where}: connection refused: {session.connack}")
            client.subscribe(opts.topic, qos=opts.qos)
            self._until(client, session, lambda: session.suback is not None, f"{where}: no SUBACK")
            refused = [rc for rc in session.suback if rc.is_failure]
            if refused:
                raise FetchError(f"{where}: subscription to {opts.topic!r} refused: {refused[0]}")
            self._drain(client, session, where)
        finally:
            client.disconnect()
            deadline = time.monotonic() + 2
            while not session.disconnected and time.monotonic() < deadline:
                if client.loop(0.05) != mqtt.MQTT_ERR_SUCCESS:
                    break
        log.info("%s: %s messages received", where, session.received)
        return session.received

    def _client(self, session: _Session) -> mqtt.Client:
        opts = self.options
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=opts.client_id, protocol=mqtt.MQTTv5, manual_ack=True
        )
        if opts.username:
            client.username_pw_set(opts.username, opts.password)
        if self.tls:
            client.tls_set()

        def on_connect(_client, _userdata, _flags, reason_code, _properties):
            session.connack = reason_code

        def on_subscribe(_client, _userdata, _mid, reason_codes, _properties):
            session.suback = list(reason_codes)
            session.last_activity = time.monotonic()

        def on_message(client_, _userdata, message):
            if session.received >= opts.max_messages:
                return  # not acknowledged: the broker delivers it again in the next session
            # spool (fsync) first, acknowledge after: an exception here leaves the message with the broker
            session.spool.append(session.next_seq, message.topic, message.payload)
            session.next_seq += 1
            client_.ack(message.mid, message.qos)
            session.received += 1
            session.last_activity = time.monotonic()

        def on_disconnect(_client, _userdata, _flags, _reason_code, _properties):
            session.disconnected = True

        client.on_connect, client.on_subscribe = on_connect, on_subscribe
        client.on_message, client.on_disconnect = on_message, on_disconnect
        return client

    def _until(self, client: mqtt.Client, session: _Session, done: Callable[[], bool], message: str) -> None:
        deadline = time.monotonic() + self.options.connect_timeout
        while not done():
            if client.loop(0.05) != mqtt.MQTT_ERR_SUCCESS or session.disconnected:
                raise FetchError(f"{message}: the connection was closed")
            if time.monotonic() > deadline:
                raise FetchError(f"{message} within {self.options.connect_timeout:g} s")

    def _drain(self, client: mqtt.Client, session: _Session, where: str) -> None:
        opts = self.options
        stop = time.monotonic() + opts.max_seconds
        while session.received < opts.max_messages and time.monotonic() < stop:
            if time.monotonic() - session.last_activity >= opts.idle_seconds:
                return
            if client.loop(0.05) != mqtt.MQTT_ERR_SUCCESS or session.disconnected:
                raise FetchError(
                    f"{where}: connection lost after {session.received} messages (they are spooled)"
                )

    # ------------------------------------------------------------------ parse
    def parse(self, payload: Payload) -> ParseResult:
        documents = payload.documents
        fresh = set(payload.meta.get("fresh", range(len(documents))))
        closed = payload.meta.get("closed_before")
        closed_before = parse_instant(closed) if closed else None
        readings: dict[tuple, Reading] = {}
        rejects: list[Reject] = []
        for index, document in enumerate(documents):
            try:
                reading = self._reading(document)
                if closed_before and floor_hour(reading.received_at) < closed_before:
                    raise BadMessage(
                        f"late: the hour {floor_hour(reading.received_at):%Y-%m-%d %H:00} UTC was "
                        "already closed and removed from the spool; not averaged into it"
                    )
            except BadMessage as exc:
                if index in fresh:
                    text = raw_text(document.content.decode("utf-8", errors="replace"))
                    rejects.append(Reject(text, f"{document.name}: {exc}"))
                continue
            readings.setdefault((reading.device, reading.received_at, reading.f_cnt), reading)
        stamps = [r.received_at for r in readings.values()]
        watermark = iso_utc(max(stamps)) if stamps else None
        return ParseResult(
            frame=make_frame(self._means(list(readings.values()))), rejects=rejects, watermark=watermark
        )

    def _reading(self, document: Document) -> Reading:
        if len(document.content) > self.options.max_message_bytes:
            raise BadMessage(
                f"message of {len(document.content)} bytes exceeds max_message_bytes "
                f"({self.options.max_message_bytes})"
            )
        try:
            message = json.loads(document.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadMessage(f"not JSON ({exc})") from None
        if not isinstance(message, dict):
            raise BadMessage(f"expected a JSON object, got {type(message).__name__}")
        ids = message.get("end_device_ids")
        device_id = ids.get("device_id") if isinstance(ids, dict) else None
        if not isinstance(device_id, str) or not device_id:
            raise BadMessage("missing end_device_ids.device_id")
        device = self.options.devices.get(device_id)
        if device is None:
            raise BadMessage(f"unknown device '{device_id}' (not in options.devices)")
        if "received_at" not in message:
            raise BadMessage("missing received_at")
        try:
            received = parse_instant(message["received_at"])
        except ValueError as exc:
            raise BadMessage(f"received_at: {exc}") from None
        uplink = message.get("uplink_message")
        if not isinstance(uplink, dict):
            raise BadMessage("missing uplink_message (not an uplink?)")
        model = MODELS[device.model]
        fill = fill_fraction(decode_uplink(uplink, model, device.payload), model, device.empty_mm, device.full_mm)
        return Reading(device_id, device.district, received, uplink.get("f_cnt"), fill)

    def _means(self, readings: list[Reading]) -> list[dict]:
        groups: dict[tuple[str, datetime], list[Reading]] = defaultdict(list)
        for reading in readings:
            hour = floor_hour(reading.received_at)
            groups[(reading.district, hour)].append(reading)
            groups[(CITYWIDE, hour)].append(reading)
        rows = []
        for (district, hour), members in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
            devices = sorted({r.device for r in members})
            rows.append(
                dict(
                    indicator=self.options.indicator,
                    district=district,
                    period_start=hour,
                    period_end=hour + timedelta(hours=1),
                    value=round(100 * sum(r.fill for r in members) / len(members), 3),
                    raw=f"{len(members)} readings of {len(devices)} sensors: {', '.join(devices)[:500]}",
                )
            )
        return rows
