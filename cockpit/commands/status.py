"""`status`: each source's last run, status, counts and next run, and the indicators whose data is stale."""

from __future__ import annotations

import argparse
from datetime import datetime

from cockpit.i18n import DISPLAY_TZ, format_datetime, t
from cockpit.jobs.scheduler import trigger_for
from cockpit.kpi import is_stale
from cockpit.roles import Role
from cockpit.runtime import Cockpit, open_cockpit

NAME = "status"
HELP = "show each source's last run, status, counts and next run, and the stale indicators"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("de", "en"), default="de")


def source_lines(cockpit: Cockpit, now: datetime, lang: str) -> list[str]:
    last = cockpit.store.last_runs().set_index("source_id")
    lines = []
    for source in cockpit.sources:
        next_run = trigger_for(source).get_next_fire_time(None, now) if source.enabled else None
        head = f"{source.id} ({source.connector})"
        if source.id not in last.index:
            upcoming = format_datetime(next_run, lang) if next_run else t("status.disabled", lang)
            lines.append(t("status.never_run", lang, source=head, next=upcoming))
            continue
        run = last.loc[source.id]
        lines.append(t("status.run_line", lang, source=head, status=run["status"],
                       started=format_datetime(run["started_at"].to_pydatetime(), lang),
                       read=run["rows_read"], stored=run["rows_stored"], rejected=run["rows_rejected"],
                       next=format_datetime(next_run, lang) if next_run else t("status.disabled", lang)))
        if run["error"]:
            lines.append(f"    {run['error']}")
    return lines


def stale_lines(cockpit: Cockpit, now: datetime, lang: str) -> list[str]:
    latest = cockpit.store.latest(Role.INTERNAL, count=1).set_index("indicator")
    lines = []
    for indicator in cockpit.catalog.indicators:
        start = latest["period_start"].get(indicator.id)
        start = None if start is None else start.to_pydatetime()
        if start is None:
            lines.append(t("status.no_data_line", lang, indicator=indicator.id))
        elif is_stale(indicator, start, now):
            lines.append(t("status.stale_line", lang, indicator=indicator.id,
                           latest=format_datetime(start, lang), rhythm=str(indicator.rhythm)))
    return lines


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    now = datetime.now(DISPLAY_TZ)
    print(t("status.sources_heading", args.lang))
    print("\n".join(source_lines(cockpit, now, args.lang)))
    print()
    print(t("status.stale_heading", args.lang))
    print("\n".join(stale_lines(cockpit, now, args.lang)) or t("status.none_stale", args.lang))
    return 0
