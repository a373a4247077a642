"""The operations page for staff: source runs (last run, status, counts, next run, recent errors), the quarantine
(filterable, raw record and reason), the alerts and the read replica's state (plain data in the viewer's language).

Who sees what: a source belongs to the indicators it feeds (every catalog indicator id among its options, with the
connector's defaults); staff see the runs, errors, quarantine and alerts of the sources that feed at least one
indicator they may see, and the alerts of goals, indicators and measures they may see; admins see everything.
Counts and dates are in the viewer's locale; the texts connectors and checks write in English (errors, quarantine
reasons) are translated where their form is known and otherwise marked as English (`*_lang`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cockpit.i18n import MessageError, format_datetime, format_number, normalize_lang, t
from cockpit.jobs.scheduler import trigger_for
from cockpit.kpi import LOCAL_TZ
from cockpit.readmodel.snapshot import now_local
from cockpit.roles import Role, Viewer, role_of
from cockpit.sources.config import SourcesError
from cockpit.sources.registry import connector_class
from cockpit.views.formatting import Fingerprinted
from cockpit.views.replica_status import ReplicaView, build_replica

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

RAW_LIMIT = 2000  # characters of a raw record shown
QUARANTINE_LIMIT = 200
ERROR_LIMIT = 20
ALERT_LIMIT = 50


@dataclass(frozen=True)
class SourceRunView:
    """A source's last run and next run."""

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
    connector_text: str = ""  # the connector in words ('Statistik-Tabelle (CSV)')
    read_text: str = ""  # counts in the locale's format ('1.234')
    stored_text: str = ""
    rejected_text: str = ""


@dataclass(frozen=True)
class SourceEvent:
    """Something that happened at a source: which source, and when (in the viewer's locale)."""

    source_id: str
    when_text: str  # '06.12.2026, 07:15'


@dataclass(frozen=True)
class ErrorView(SourceEvent):
    """A failed or partial run's error message."""

    error: str
    error_lang: str = "en"  # the language of `error` (a connector's message is English)


@dataclass(frozen=True)
class QuarantineView(SourceEvent):
    """A record the checks rejected, with the reason and the raw record."""

    id: int
    run_id: int
    reason: str
    raw: str
    reason_lang: str = "en"
    run_text: str = ""


@dataclass(frozen=True)
class AlertView:
    """An alert fired or recovered, and how its messages were delivered."""

    when_text: str
    rule_id: str
    subject: str
    event: str  # fired | recovered
    event_text: str
    message: str
    delivery_text: str  # 'mail: zugestellt, hook: Fehler (webhook failed: …)'


@dataclass(frozen=True)
class StatusView(Fingerprinted):
    lang: str
    sources: tuple[SourceRunView, ...]
    errors: tuple[ErrorView, ...]
    quarantine: tuple[QuarantineView, ...]
    quarantine_total: int
    quarantine_source: str  # the filter ('' = all)
    source_options: tuple[str, ...]
    alerts: tuple[AlertView, ...]
    firing: tuple[str, ...]  # keys of alerts firing now ('<rule>:<subject>')
    quarantine_count_text: str = ""
    firing_text: str = ""
    replica: ReplicaView | None = None  # the read replica's state (the same for every member of staff)


def _when(value, lang: str) -> str:
    if value is None:
        return "–"
    try:
        if value != value:  # NaT
            return "–"
    except TypeError:
        pass
    return format_datetime(value.to_pydatetime() if hasattr(value, "to_pydatetime") else value, lang)


def _count(value: int, lang: str) -> str:
    return format_number(int(value), 0, lang)


# ------------------------------------------------------------------------------------------------ visibility


def _indicator_ids(value, known: set[str], found: set[str]) -> set[str]:
    if isinstance(value, str):
        if value in known:
            found.add(value)
    elif isinstance(value, dict):
        for sub in value.values():
            _indicator_ids(sub, known, found)
    elif isinstance(value, list | tuple | set):
        for sub in value:
            _indicator_ids(sub, known, found)
    return found


def source_indicators(cockpit: Cockpit) -> dict[str, set[str]]:
    """Source id -> the catalog indicators it feeds (ids among its options, the connector's defaults included)."""
    known = {i.id for i in cockpit.catalog.indicators}
    result = {}
    for source in cockpit.sources:
        try:
            options = source.options_for(connector_class(source.connector).Options).model_dump()
        except (KeyError, SourcesError):
            options = source.options
        result[source.id] = _indicator_ids(options, known, set())
    return result


def visible_sources(cockpit: Cockpit, who: Viewer | Role | str) -> set[str]:
    """The sources whose runs, quarantine and alerts `who` may see (all for admins, none for the public)."""
    role = role_of(who)
    if role == Role.ADMIN:
        return {s.id for s in cockpit.sources}
    if role == Role.PUBLIC:
        return set()
    visible = {i.id for i in cockpit.catalog.visible_indicators(who)}
    return {source for source, feeds in source_indicators(cockpit).items() if feeds & visible}


def _visible_subject(cockpit: Cockpit, who, subject: str, sources: set[str], indicators: set[str]) -> bool:
    """An alert's subject is a goal, an indicator, a source or a measure; anything else only for admins."""
    if role_of(who) == Role.ADMIN:
        return True
    goal = next((g for g in cockpit.catalog.goals if g.id == subject), None)
    if goal is not None:
        return goal.indicator in indicators
    if subject in cockpit.catalog.indicator_map:
        return subject in indicators
    if subject in {s.id for s in cockpit.sources}:
        return subject in sources
    return cockpit.store.measure(who, subject) is not None


# ------------------------------------------------------------------------------------------------ texts

# The reasons the checks in cockpit.jobs.validate write (English), as patterns -> message keys.
_REASONS = (
    (re.compile(r"value (?P<value>\S+) outside the plausible range (?P<low>\S+)\.\.(?P<high>\S+) of '(?P<ind>[^']+)'"),
     "status.reason.range"),
    (re.compile(r"unknown indicator '(?P<ind>[^']*)'"), "status.reason.indicator"),
    (re.compile(r"implausible timestamp (?P<when>\S+): .*"), "status.reason.timestamp"),
    (re.compile(r"value (?P<value>\S+) is not finite"), "status.reason.finite"),
    (re.compile(r"indicator '(?P<ind>[^']+)' is city-wide but the record names district '(?P<district>[^']*)'"),
     "status.reason.citywide"),
    (re.compile(r"unknown district '(?P<district>[^']*)'"), "status.reason.district"),
    (re.compile(r"duplicate record for (?P<key>\S+)"), "status.reason.duplicate"),
)


def reason_text(reason: str, lang: str) -> tuple[str, str]:
    """(text, its language): a known check's reason in the viewer's language, anything else as written (English)."""
    if lang == "en":
        return reason, "en"
    for pattern, key in _REASONS:
        match = pattern.fullmatch(reason.strip())
        if match:
            return t(key, lang, **match.groupdict()), lang
    return reason, "en"


def connector_text(connector: str, lang: str) -> str:
    key = f"status.connector.{connector}"
    try:
        return t(key, lang)
    except MessageError:  # a connector without a description (a plugin): its name
        return connector


def _delivery(channels: dict, lang: str) -> str:
    parts = []
    for channel, result in channels.items():
        if result == "ok":
            parts.append(t("status.delivery.ok", lang, channel=channel))
        else:
            parts.append(t("status.delivery.failed", lang, channel=channel, error=result))
    return ", ".join(parts) or t("measures.ops.no_channel", lang)


# ------------------------------------------------------------------------------------------------ builder


def build_status(cockpit: Cockpit, who: Viewer | Role | str, lang: str | None = None, source: str | None = None,
                 now: datetime | None = None) -> StatusView:
    """What `who` may see of the operations (the page shows it to staff only)."""
    lang = normalize_lang(lang)
    at = (now or now_local()).astimezone(LOCAL_TZ)
    store = cockpit.store
    allowed = visible_sources(cockpit, who)
    indicators = {i.id for i in cockpit.catalog.visible_indicators(who)} if role_of(who) != Role.PUBLIC else set()
    last = store.last_runs().set_index("source_id")
    sources = []
    for s in cockpit.sources:
        if s.id not in allowed:
            continue
        next_run = trigger_for(s).get_next_fire_time(None, at) if s.enabled else None
        next_text = format_datetime(next_run, lang) if next_run else t("measures.ops.disabled", lang)
        described = connector_text(s.connector, lang)
        if s.id not in last.index:
            sources.append(SourceRunView(s.id, s.connector, "never", t("measures.ops.run.never", lang), "–", 0, 0, 0,
                                         next_text, None, described, "0", "0", "0"))
            continue
        run = last.loc[s.id]
        read, stored, rejected = int(run["rows_read"]), int(run["rows_stored"]), int(run["rows_rejected"])
        sources.append(SourceRunView(
            s.id, s.connector, str(run["status"]), t(f"measures.ops.run.{run['status']}", lang),
            _when(run["started_at"], lang), read, stored, rejected, next_text, run["error"] or None, described,
            _count(read, lang), _count(stored, lang), _count(rejected, lang)))
    runs = store.runs(limit=500)
    failed = runs[runs["status"].isin(("failed", "partial")) & runs["error"].notna() & (runs["error"] != "")
                  & runs["source_id"].isin(allowed)].head(ERROR_LIMIT)  # an 'ok' run's text is a note, no error
    errors = tuple(ErrorView(str(r["source_id"]), _when(r["started_at"], lang), str(r["error"]))
                   for _, r in failed.iterrows())
    known = tuple(s.id for s in cockpit.sources if s.id in allowed)
    selected = source if source in known else ""
    quarantine = store.quarantine(selected or None)
    quarantine = quarantine[quarantine["source_id"].isin(allowed)]
    total = len(quarantine)
    rows = quarantine.sort_values("id", ascending=False).head(QUARANTINE_LIMIT)
    items = []
    for _, r in rows.iterrows():
        text, text_lang = reason_text(str(r["reason"]), lang)
        items.append(QuarantineView(str(r["source_id"]), _when(r["created_at"], lang), int(r["id"]), int(r["run_id"]),
                                    text, str(r["raw"])[:RAW_LIMIT], text_lang, _count(int(r["run_id"]), lang)))
    alerts = []
    for a in store.alert_log(ALERT_LIMIT * 4):
        if len(alerts) < ALERT_LIMIT and _visible_subject(cockpit, who, a["subject"], allowed, indicators):
            alerts.append(AlertView(
                format_datetime(a["created_at"], lang), a["rule_id"], a["subject"], a["event"],
                t(f"measures.alert.event.{a['event']}", lang), a["message"], _delivery(a["channels"], lang)))
    firing = tuple(sorted(k for k, s in store.alert_states().items()
                          if s.firing and _visible_subject(cockpit, who, s.subject, allowed, indicators)))
    return StatusView(lang, tuple(sources), errors, tuple(items), total, selected, known, tuple(alerts), firing,
                      t("measures.ops.quarantine.count", lang, shown=_count(len(items), lang),
                        count=_count(total, lang)),
                      t("measures.ops.alerts.firing", lang, count=_count(len(firing), lang)),
                      replica=build_replica(cockpit, lang))
