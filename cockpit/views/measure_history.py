"""Changes of a measure's climate effect and cost as entries of its history (the list of progress reports on the
measure page): what changed to what, who and when (Europe/Berlin, the viewer's language). The public sees the
owning office instead of the person, as for progress reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cockpit.i18n import format_datetime, format_number, t


@dataclass(frozen=True)
class ChangeEntry:
    at: datetime
    when_text: str
    author: str
    title: str  # 'Klimawirkung geändert'
    text: str  # the new value: 'Verkehr: 1.200 t CO2e je Jahr; Beginn 2025, volle Wirkung 2027, Ende offen'


def effects_text(effects: list[dict], lang: str) -> str:
    return "; ".join(
        t("pathway.sector." + e["sector"], lang) + ": " + t(
            "pathway.measure.effect_value", lang, tonnes=format_number(e["reduction_t"], 0, lang),
            start=e["start_year"], full=e["full_year"],
            end=e["end_year"] if e.get("end_year") else t("pathway.measure.open", lang))
        for e in effects)


def cost_text(cost: dict, lang: str) -> str:
    return t("pathway.cost", lang, once=format_number(cost["one_off_eur"], 0, lang),
             year=format_number(cost["per_year_eur"], 0, lang))


def change_entries(changes: list[dict], office: str, staff: bool, lang: str) -> list[ChangeEntry]:
    """History entries of the store's changes (in the order made): the first of a kind is
    'recorded', a later one 'changed', an empty value 'removed'."""
    seen: set[str] = set()
    entries = []
    for change in changes:
        kind, value = change["kind"], change["value"]
        state = "removed" if not value else ("changed" if kind in seen else "recorded")
        seen.add(kind)
        text = "" if not value else (effects_text(value, lang) if kind == "effects" else cost_text(value, lang))
        entries.append(ChangeEntry(change["recorded_at"], format_datetime(change["recorded_at"], lang),
                                   change["author"] if staff else office,
                                   t(f"measure_history.{kind}.{state}", lang), text))
    return entries
