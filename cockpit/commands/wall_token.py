"""`wall-token create|list|revoke`: tokens that let a wall screen show what a URL alone may not.

    python run.py wall-token create "Ratssaal" --slides energy,goals --internal
    python run.py wall-token list
    python run.py wall-token revoke Ratssaal        (or the id from `list`)

The token is printed once, at creation (only its hash is stored); put it into the wall's URL:
`/wall?token=...`. A revoked token turns the screen public at its next refresh.
"""

from __future__ import annotations

import argparse
import sys

from cockpit.i18n import format_datetime
from cockpit.runtime import open_cockpit
from cockpit.views.wall import SLIDE_BUILDERS, parse_slides

NAME = "wall-token"
HELP = "create, list or revoke wall tokens (wall screens with internal indicators without a login)"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="create a token and print it (once)")
    create.add_argument("name", help="what the screen is, e.g. 'Ratssaal'")
    create.add_argument("--slides", default="",
                        help="slides the token shows, e.g. energy,mobility,waste,goals,indicator:<id> "
                             "(default: the wall URL decides)")
    create.add_argument("--internal", action="store_true", help="internal indicators may show")
    create.add_argument("--base-url", default="", help="print the full wall URL with this base, e.g. https://host")
    sub.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = sub.add_parser("revoke", help="revoke a token by id or name")
    revoke.add_argument("key", help="id or name of the token")


def _check_slides(text: str, indicator_ids: set[str]) -> tuple[str, ...] | None:
    slides = parse_slides(text)
    given = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in given if s not in slides]
    unknown += [s for s in slides if s.startswith("indicator:") and s.partition(":")[2] not in indicator_ids]
    if unknown:
        kinds = ", ".join(sorted(SLIDE_BUILDERS))
        print(f"error: unknown slide(s) {', '.join(unknown)} (kinds: {kinds}; indicator:<id> needs an indicator "
              "id of the catalog)", file=sys.stderr)
        return None
    return slides


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    store = cockpit.store
    if args.action == "create":
        slides = _check_slides(args.slides, {i.id for i in cockpit.catalog.indicators})
        if slides is None:
            return 2
        token, record = store.create_wall_token(args.name, slides, args.internal)
        print(f"wall token {record.id} '{record.name}' ({'internal' if record.internal else 'public'}"
              f"{', slides ' + ','.join(record.slides) if record.slides else ''}):")
        print(token)
        print(f"wall URL: {args.base_url.rstrip('/')}/wall?token={token}")
        print("The token is shown only now; only its hash is stored.")
        return 0
    if args.action == "list":
        tokens = store.wall_tokens()
        if not tokens:
            print("no wall tokens")
        for record in tokens:
            state = "active" if record.active else f"revoked {format_datetime(record.revoked_at, 'en')}"
            print(f"{record.id}\t{record.name}\t{'internal' if record.internal else 'public'}\t"
                  f"{','.join(record.slides) or '(URL decides)'}\tcreated {format_datetime(record.created_at, 'en')}"
                  f"\t{state}")
        return 0
    count = store.revoke_wall_token(args.key)
    if not count:
        print(f"error: no active wall token with id or name '{args.key}'", file=sys.stderr)
        return 1
    print(f"revoked {count} wall token(s) '{args.key}'; screens using it turn public at their next refresh")
    return 0
