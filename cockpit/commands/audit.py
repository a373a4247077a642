"""`audit`: the audit log (logins, failed logins, logouts, account and token changes), newest first."""

from __future__ import annotations

import argparse
from datetime import datetime, time

from cockpit.commands._common import iso_date
from cockpit.i18n import DISPLAY_TZ
from cockpit.printable import printable
from cockpit.runtime import open_cockpit

NAME = "audit"
HELP = "list the audit log: who did what, when and from where"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=iso_date, help="from this day on (YYYY-MM-DD, Europe/Berlin)")
    parser.add_argument("--action", help="only this action (e.g. login.failed, user.add, logout)")
    parser.add_argument("--limit", type=int, default=100, help="at most this many entries (default 100)")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    since = datetime.combine(args.since, time(), DISPLAY_TZ) if args.since else None
    entries = cockpit.store.audit_entries(max(1, args.limit), since, args.action)
    print(f"{'when (Europe/Berlin)':<20} {'action':<16} {'by':<16} {'account/object':<24} {'from':<16} detail")
    for e in entries:
        when = e["at"].astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M:%S")
        # actor, target and detail may hold what a client typed (a login name): no terminal escapes
        print(f"{when:<20} {printable(e['action']):<16} {printable(e['actor'] or '-'):<16} "
              f"{printable(e['target'] or '-'):<24} {printable(e['address'] or '-'):<16} "
              f"{printable(e['detail'] or '')}".rstrip())
    return 0
