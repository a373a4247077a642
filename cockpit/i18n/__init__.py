"""Translations (German default, English) and locale formats for numbers and dates."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

LANGUAGES = ("de", "en")
DEFAULT_LANG = "de"
DISPLAY_TZ = ZoneInfo("Europe/Berlin")
_MESSAGES_DIR = Path(__file__).with_name("messages")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MessageError(KeyError):
    """A message key is missing, duplicated or lacks a language."""


@cache
def messages() -> dict[str, dict[str, str]]:
    """All messages from messages/*.json (one file per area: {"key": {"de": ..., "en": ...}})."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_MESSAGES_DIR.glob("*.json")):
        for key, texts in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise MessageError(f"{path.name}: key {key!r} is defined twice")
            missing = [lang for lang in LANGUAGES if not texts.get(lang)]
            if missing:
                raise MessageError(f"{path.name}: key {key!r} has no text for {', '.join(missing)}")
            merged[key] = texts
    return merged


def normalize_lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANG


def t(key: str, lang: str | None = None, **values) -> str:
    """The message `key` in `lang`, with {placeholders} filled from `values`."""
    try:
        text = messages()[key][normalize_lang(lang)]
    except KeyError:
        raise MessageError(f"unknown message key {key!r}") from None
    return text.format(**values) if values else text


def format_number(value: float | int | None, decimals: int = 1, lang: str | None = None) -> str:
    """1234.5 -> '1.234,5' (de) or '1,234.5' (en); None/NaN -> '–'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if normalize_lang(lang) == "de":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def format_signed(value: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """Like format_number but always with a sign: '+1,2' / '−0,4' (true minus sign)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "±")
    return sign + format_number(abs(value), decimals, lang)


def format_percent(share: float | None, decimals: int = 0, lang: str | None = None) -> str:
    """0.796 -> '80 %' (de) / '80%' (en)."""
    if share is None:
        return "–"
    number = format_number(share * 100, decimals, lang)
    return f"{number}\u00a0%" if normalize_lang(lang) == "de" else f"{number}%"


def to_local(moment: datetime) -> datetime:
    """A timezone-aware UTC datetime shown in Europe/Berlin."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: store and pass UTC-aware datetimes")
    return moment.astimezone(DISPLAY_TZ)


def format_date(value: date | datetime | None, lang: str | None = None) -> str:
    """22.11.2026 (de) / 22 Nov 2026 (en); datetimes are converted to Europe/Berlin first."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = to_local(value).date()
    if normalize_lang(lang) == "de":
        return f"{value.day:02d}.{value.month:02d}.{value.year}"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None, lang: str | None = None) -> str:
    """22.11.2026, 14:05 (de) / 22 Nov 2026, 14:05 (en), in Europe/Berlin."""
    if value is None:
        return "–"
    local = to_local(value)
    return f"{format_date(local.date(), lang)}, {local:%H:%M}"
