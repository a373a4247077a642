"""Alert rules and channels from a YAML file (COCKPIT_ALERTS); errors name the file, the record and the field.

    interval: PT15M            # how often the scheduled job checks (default 15 minutes)
    lang: de                   # language of the messages
    channels:
      - {id: mail, type: email, host: smtp.example.org, port: 587, starttls: true, sender: cockpit@example.org,
         to: [klimaschutz@example.org], username: cockpit, password_env: COCKPIT_SMTP_PASSWORD}
      - {id: hook, type: webhook, url: "https://chat.example.org/hooks/cockpit"}
    rules:
      - {id: goal-worse, kind: goal_status_worse, channels: [mail, hook]}
      - {id: stale, kind: indicator_stale, channels: [mail]}
      - {id: source-failing, kind: source_failing, runs: 3, channels: [mail]}
      - {id: measure-overdue, kind: measure_overdue, channels: [mail], only: [hydrogen-buses]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cockpit.catalog.models import IsoDuration, Slug

KINDS = ("goal_status_worse", "indicator_stale", "source_failing", "measure_overdue")


M = TypeVar("M", bound=BaseModel)


class AlertConfigError(ValueError):
    """The alert configuration is invalid; the message names the file, the record and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class EmailChannel(_Strict):
    id: Slug
    type: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    ssl: bool = False
    sender: str = Field(min_length=3)
    to: list[str] = Field(min_length=1)
    username: str | None = None
    password_env: str | None = None  # name of the environment variable holding the SMTP password
    timeout: float = Field(default=10.0, gt=0)


class WebhookChannel(_Strict):
    id: Slug
    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    timeout: float = Field(default=10.0, gt=0)


Channel = Annotated[EmailChannel | WebhookChannel, Field(discriminator="type")]


class Rule(_Strict):
    id: Slug
    kind: Literal["goal_status_worse", "indicator_stale", "source_failing", "measure_overdue"]
    channels: list[Slug] = Field(default_factory=list)
    runs: int = Field(default=3, ge=1, le=100)  # source_failing: failed runs in a row
    only: list[str] | None = None  # only these goals / indicators / sources / measures


class AlertConfig(_Strict):
    interval: IsoDuration = "PT15M"
    lang: Literal["de", "en"] = "de"
    channels: list[Channel] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_channels(self) -> AlertConfig:
        check_channels(self.channels, self.rules, "rules")
        return self

    def channel(self, channel_id: str):
        return next(c for c in self.channels if c.id == channel_id)


def check_channels(channels: list, users: list, name: str) -> None:
    """Each of `users` (the items of the list `name`) names only channels defined in `channels`."""
    known = {c.id for c in channels}
    for index, user in enumerate(users):
        for channel in user.channels:
            if channel not in known:
                raise ValueError(f"{name}.{index}.channels: unknown channel '{channel}'")


def load_alert_config(path: Path | str) -> AlertConfig:
    return load_config(path, AlertConfig, AlertConfigError, ("rules", "channels"))


def load_config(path: Path | str, model: type[M], error: type[Exception], lists: tuple[str, ...]) -> M:
    """The YAML file `path` validated as `model`; else `error` naming the file, the record (an item of one of
    the `lists`, by number and id) and the field of the first problem."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        record = ""
        if len(loc) >= 2 and loc[0] in lists and loc[1].isdigit():
            items = document.get(loc[0]) or []
            raw = items[int(loc[1])] if int(loc[1]) < len(items) else {}
            ident = raw.get("id") if isinstance(raw, dict) else None
            record = f", record {loc[0]} {int(loc[1]) + 1}" + (f" (id '{ident}')" if ident else "")
        field = f", field '{'.'.join(loc)}'" if loc else ""
        raise error(f"{path}{record}{field}: {err['msg']}") from None
