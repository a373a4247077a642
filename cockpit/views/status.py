"""The operations page for staff: source runs (last run, status, counts, next run, recent errors), the quarantine
(filterable, raw record and reason) and the alerts (plain data in the viewer's language)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cockpit.i18n import format_datetime, normalize_lang, t
from cockpit.jobs.scheduler import trigger_for
from cockpit.kpi import LOCAL_TZ
from cockpit.readmodel.snapshot import now_local

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

RAW_LIMIT = 2000  # characters of a raw record shown
QUARANTINE_LIMIT = 200
ERROR_LIMIT = 20


@dataclass(frozen=True)
class SourceRunView:
    source_id: str
    connector: str
    status: str  # ok | partial | failed | running | never
    status_text: str
    last_run_text: str
    read: int
    stored: int
    rejected: int
    next_run_text: str
    error: str | None


@dataclass(frozen=True)
class ErrorView:
    source_id: str
    when_text: str
    error: str


@dataclass(frozen=True)
class QuarantineView:
    id: int
    source_id: str
    run_id: int
    when_text: str
    reason: str
    raw: str


@dataclass(frozen=True)
class AlertView:
    when_text: str
    rule_id: str
    subject: str
    event: str  # fired | recovered
    event_text: str
    message: str
    delivery_text: str  # 'mail: ok, hook: webhook failed: …'


@dataclass(frozen=True)
class StatusView:
    lang: str
    sources: tuple[SourceRunView, ...]
    errors: tuple[ErrorView, ...]
    quarantine: tuple[QuarantineView, ...]
    quarantine_total: int
    quarantine_source: str  # the filter ('' = all)
    source_options: tuple[str, ...]
    alerts: tuple[AlertView, ...]
    firing: tuple[str, ...]  # keys of alerts firing now ('<rule>:<subject>')

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:20]


def _when(value, lang: str) -> str:
    if value is None:
        return "–"
    try:
        if value != value:  # NaT
            return "–"
    except TypeError:
        pass
    return format_datetime(value.to_pydatetime() if hasattr(value, "to_pydatetime") else value, lang)


def build_status(cockpit: Cockpit, lang: str | None = None, source: str | None = None,
                 now: datetime | None = None) -> StatusView:
    """For staff only: the caller checks the role (the page and its callbacks do)."""
    lang = normalize_lang(lang)
    at = (now or now_local()).astimezone(LOCAL_TZ)
    store = cockpit.store
    last = store.last_runs().set_index("source_id")
    sources = []
    for s in cockpit.sources:
        next_run = trigger_for(s).get_next_fire_time(None, at) if s.enabled else None
        next_text = format_datetime(next_run, lang) if next_run else t("measures.ops.disabled", lang)
        if s.id not in last.index:
            sources.append(SourceRunView(s.id, s.connector, "never", t("measures.ops.run.never", lang), "–", 0, 0, 0,
                                         next_text, None))
            continue
        run = last.loc[s.id]
        sources.append(SourceRunView(
            s.id, s.connector, str(run["status"]), t(f"measures.ops.run.{run['status']}", lang),
            _when(run["started_at"], lang), int(run["rows_read"]), int(run["rows_stored"]),
            int(run["rows_rejected"]), next_text, run["error"] or None))
    runs = store.runs(limit=200)
    failed = runs[runs["error"].notna() & (runs["error"] != "")].head(ERROR_LIMIT)
    errors = tuple(ErrorView(str(r["source_id"]), _when(r["started_at"], lang), str(r["error"]))
                   for _, r in failed.iterrows())
    known = tuple(s.id for s in cockpit.sources)
    selected = source if source in known else ""
    quarantine = store.quarantine(selected or None)
    total = len(quarantine)
    rows = quarantine.sort_values("id", ascending=False).head(QUARANTINE_LIMIT)
    items = tuple(QuarantineView(int(r["id"]), str(r["source_id"]), int(r["run_id"]), _when(r["created_at"], lang),
                                 str(r["reason"]), str(r["raw"])[:RAW_LIMIT]) for _, r in rows.iterrows())
    alerts = tuple(AlertView(
        format_datetime(a["created_at"], lang), a["rule_id"], a["subject"], a["event"],
        t(f"measures.alert.event.{a['event']}", lang), a["message"],
        ", ".join(f"{k}: {v}" for k, v in a["channels"].items()) or t("measures.ops.no_channel", lang))
        for a in store.alert_log(50))
    firing = tuple(sorted(k for k, s in store.alert_states().items() if s.firing))
    return StatusView(lang, tuple(sources), errors, items, total, selected, known, alerts, firing)
