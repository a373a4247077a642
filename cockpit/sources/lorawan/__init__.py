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
Decoders per device family: `decoders.py`; the spool: `spool.py`.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
from cockpit.sources.lorawan.decoders import (
    MODELS,
    BadMessage,
    DeviceModel,
    decode_ldds20,
    decode_ldds75,
    decode_uplink,
    fill_fraction,
    read_dragino_ldds,
    read_em310_udl,
)
from cockpit.sources.lorawan.spool import Spool, SpoolState, _file_hour

# the decoders are tested through this package (its public surface)
__all__ = [
    "MODELS",
    "BadMessage",
    "DeviceModel",
    "LorawanMqttConnector",
    "LorawanOptions",
    "Spool",
    "decode_ldds20",
    "decode_ldds75",
    "decode_uplink",
    "fill_fraction",
    "read_dragino_ldds",
    "read_em310_udl",
]

log = logging.getLogger(__name__)



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
