"""The spool of the LoRaWAN connector: every MQTT message appended and fsync'ed before it is acknowledged, one
JSONL file per UTC hour of its received_at (see the package docstring for why and how long it is kept)."""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cockpit.sources._time import floor_hour, iso_utc, parse_instant
from cockpit.sources.http import FetchError

log = logging.getLogger(__name__)

HOUR_FORMAT = "%Y%m%dT%H"
UNREADABLE = "unreadable"


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
