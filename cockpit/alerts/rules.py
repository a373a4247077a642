"""What each alert rule watches and when it notifies (pure functions): once per state change, once on recovery."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from cockpit.store.measures import AlertState

GOAL_RANK = {"achieved": 0, "on_track": 1, "at_risk": 2, "off_track": 3}  # higher = worse; no_data is not ranked


@dataclass(frozen=True)
class Condition:
    """The current state of one subject of a rule: `bad` for yes/no rules, `value` (a goal status) for goals."""

    rule_id: str
    subject: str
    bad: bool = False
    value: str | None = None

    @property
    def key(self) -> str:
        return f"{self.rule_id}:{self.subject}"


def step(previous: AlertState | None, cond: Condition, now: datetime, ranked: bool) -> tuple[AlertState | None, str | None]:
    """The new state and the event to notify ('fired' | 'recovered' | None).

    Yes/no rules fire when the condition turns bad (also when it is bad the first time it is seen) and recover
    when it turns good. Goal rules (`ranked`) fire when the status gets worse than the last one seen, again if it
    gets worse still, and recover once it is back at least at the status it had before it got worse. A state is
    returned only when something is to be saved."""
    def state(firing: bool, value: str | None = None, baseline: str | None = None) -> AlertState:
        return AlertState(cond.key, cond.rule_id, cond.subject, firing, value, baseline, now)

    if not ranked:
        if previous is None:
            return state(cond.bad), "fired" if cond.bad else None
        if cond.bad == previous.firing:
            return None, None
        return state(cond.bad), "fired" if cond.bad else "recovered"
    rank = GOAL_RANK.get(cond.value or "")
    if rank is None:  # no data: nothing to compare, the state waits
        return None, None
    if previous is None or previous.value not in GOAL_RANK:
        return state(False, cond.value), None
    if cond.value == previous.value:
        return None, None
    before = GOAL_RANK[previous.value]
    if not previous.firing:
        if rank > before:
            return state(True, cond.value, previous.value), "fired"
        return replace(previous, value=cond.value, changed_at=now), None
    if rank <= GOAL_RANK.get(previous.baseline or "", 0):
        return state(False, cond.value), "recovered"
    if rank > before:
        return state(True, cond.value, previous.baseline), "fired"
    return replace(previous, value=cond.value, changed_at=now), None
