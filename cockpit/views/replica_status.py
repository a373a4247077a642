"""The read replica's state for the operations page (`/status`, staff only): whether one is configured, whether
visitors' page and API reads go to it now or fall back to the primary, how far it is behind (data versions and
replay lag) and how many reads of this worker process went where. The same figures as `/health`, in words of the
viewer's language; the state as an icon class and a word, never by colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.i18n import format_number, t

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

# state -> the status icon shown beside the word (the classes of the goal statuses: check, !, x, dash)
ICONS = {"ok": "achieved", "behind": "at_risk", "not-a-replica": "at_risk", "unreachable": "off_track",
         "off": "no_data"}


@dataclass(frozen=True)
class ReplicaView:
    state: str  # off | ok | behind | unreachable | not-a-replica
    icon: str  # a status class (ICONS)
    state_text: str  # the word beside the icon
    reads_text: str  # where visitors' reads go now
    facts: tuple[tuple[str, str], ...]  # (label, value) rows: lag, versions, reads of this process


def build_replica(cockpit: Cockpit, lang: str) -> ReplicaView:
    found = cockpit.store.replica_status()
    if not found.get("configured"):
        return ReplicaView("off", ICONS["off"], t("replica.state.off", lang), t("replica.reads.off", lang), ())
    state = found["state"]
    facts = []
    if state != "unreachable":
        lag = found.get("replay_lag_seconds")
        facts += [(t("replica.fact.lag", lang),
                   t("replica.seconds", lang, seconds=format_number(lag, 1, lang)) if lag is not None else "–"),
                  (t("replica.fact.behind", lang), format_number(found["versions_behind"], 0, lang)),
                  (t("replica.fact.versions", lang), t("replica.versions", lang,
                                                       primary=format_number(found["primary_version"], 0, lang),
                                                       replica=format_number(found["replica_version"], 0, lang)))]
    else:
        facts.append((t("replica.fact.error", lang), found.get("error", "–")))
    facts.append((t("replica.fact.reads", lang), t("replica.counts", lang,
                                                   replica=format_number(found["replica_reads"], 0, lang),
                                                   primary=format_number(found["fallbacks"], 0, lang))))
    reads = "ok" if state in ("ok", "not-a-replica") else "primary"
    return ReplicaView(state, ICONS[state], t(f"replica.state.{state}", lang), t(f"replica.reads.{reads}", lang),
                       tuple(facts))
