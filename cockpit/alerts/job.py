"""The alert job: evaluate every rule, notify state changes over the rule's channels, record state and log.

Scheduled with the ingest jobs (by `cockpit.runtime.build_scheduler`) when COCKPIT_ALERTS names a configuration
file (`add_alert_job`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from cockpit.alerts.channels import deliver
from cockpit.alerts.config import AlertConfig, Rule, load_alert_config
from cockpit.alerts.rules import Condition, step
from cockpit.catalog import Catalog
from cockpit.config import load_settings
from cockpit.i18n import format_date, t
from cockpit.kpi import LOCAL_TZ, is_stale
from cockpit.kpi.measures import is_update_overdue, update_due
from cockpit.readmodel.snapshot import read_snapshot
from cockpit.roles import Role
from cockpit.sources.config import SourceConfig
from cockpit.store import Store

log = logging.getLogger(__name__)
JOB_ID = "alerts"


@dataclass(frozen=True)
class Notification:
    rule_id: str
    kind: str
    subject: str
    event: str  # fired | recovered
    message: str
    channels: dict[str, str]  # channel id -> 'ok' or the error


def _selected(rule: Rule, subject: str) -> bool:
    return rule.only is None or subject in rule.only


def conditions(rule: Rule, store: Store, catalog: Catalog, sources: list[SourceConfig], now: datetime,
               cache: dict) -> list[Condition]:
    """The current state of every subject the rule watches."""
    if rule.kind in ("goal_status_worse", "indicator_stale"):
        if "snapshot" not in cache:
            cache["snapshot"] = read_snapshot(catalog, store, set(), Role.INTERNAL, now.astimezone(LOCAL_TZ).date())
        snap = cache["snapshot"]
        if rule.kind == "goal_status_worse":
            return [Condition(rule.id, e.goal.id, value=str(e.status)) for e in snap.evaluation.goals
                    if _selected(rule, e.goal.id)]
        return [Condition(rule.id, i.id, bad=is_stale(i, snap.latest_start.get(i.id), now))
                for i in catalog.indicators if _selected(rule, i.id)]
    if rule.kind == "source_failing":
        found = []
        for source in sources:
            if source.enabled and _selected(rule, source.id):
                runs = store.runs(source.id, limit=rule.runs)
                runs = runs[runs["status"] != "running"]
                found.append(Condition(rule.id, source.id, bad=len(runs) == rule.runs and
                                       bool((runs["status"] == "failed").all())))
        return found
    last = store.last_reports(Role.ADMIN)
    return [Condition(rule.id, m.id, bad=is_update_overdue(m, last.get(m.id), now))
            for m in store.measures(Role.ADMIN) if _selected(rule, m.id)]


def describe(rule: Rule, cond: Condition, event: str, previous_value: str | None, store: Store, catalog: Catalog,
             lang: str, now: datetime) -> str:
    """The notification text in `lang`."""
    key = f"measures.alert.{rule.kind}.{event}"
    if rule.kind == "goal_status_worse":
        goal = next((g for g in catalog.goals if g.id == cond.subject), None)
        name = goal.name.get(lang) if goal and goal.name else cond.subject
        return t(key, lang, goal=name, before=t(f"status.{previous_value}", lang) if previous_value else "–",
                 now=t(f"status.{cond.value}", lang))
    if rule.kind == "indicator_stale":
        indicator = catalog.indicator_map.get(cond.subject)
        return t(key, lang, indicator=indicator.name.get(lang) if indicator else cond.subject)
    if rule.kind == "source_failing":
        return t(key, lang, source=cond.subject, runs=rule.runs)
    measure = store.measure(Role.ADMIN, cond.subject)
    due = update_due(measure, store.last_reports(Role.ADMIN).get(cond.subject)) if measure else None
    return t(key, lang, measure=measure.name.get(lang) if measure else cond.subject,
             due=format_date(due, lang) if due else "–")


def run_alerts(store: Store, catalog: Catalog, sources: list[SourceConfig], config: AlertConfig,
               now: datetime | None = None) -> list[Notification]:
    """Check every rule once; notify and record each state change (and nothing else)."""
    now = now or datetime.now(UTC)
    states = store.alert_states()
    cache: dict = {}
    sent = []
    for rule in config.rules:
        ranked = rule.kind == "goal_status_worse"
        for cond in conditions(rule, store, catalog, sources, now, cache):
            previous = states.get(cond.key)
            new, event = step(previous, cond, now, ranked)
            if new is None:
                continue
            if event is None:
                store.record_alert(new)
                continue
            before = new.baseline if event == "fired" and ranked else (previous.value if previous else None)
            message = describe(rule, cond, event, before, store, catalog, config.lang, now)
            subject = t("measures.alert.subject", config.lang, event=t(f"measures.alert.event.{event}", config.lang),
                        message=message)
            payload = {"rule": rule.id, "kind": rule.kind, "subject": cond.subject, "event": event,
                       "message": message, "status": cond.value, "at": now.isoformat()}
            results = {name: deliver(config.channel(name), subject, message, payload) for name in rule.channels}
            for name, result in results.items():
                if result != "ok":
                    log.warning("alert %s via %s: %s", cond.key, name, result)
            store.record_alert(new, event, message, results)
            sent.append(Notification(rule.id, rule.kind, cond.subject, event, message, results))
    return sent


def add_alert_job(scheduler: BaseScheduler, store: Store, catalog: Catalog, sources: list[SourceConfig],
                  config_path=None) -> bool:
    """Schedule `run_alerts` at the configured interval when an alert configuration is set (COCKPIT_ALERTS)."""
    if config_path is None:
        config_path = load_settings().alerts
    if config_path is None:
        return False
    config = load_alert_config(config_path)
    seconds = max(60, int(config.interval.approx_seconds()))
    scheduler.add_job(run_alerts, trigger=IntervalTrigger(seconds=seconds, timezone=LOCAL_TZ),
                      args=[store, catalog, sources, config], id=JOB_ID, name=JOB_ID, max_instances=1,
                      coalesce=True, misfire_grace_time=300, replace_existing=True)
    return True
