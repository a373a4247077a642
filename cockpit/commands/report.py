"""`report`: the council report on a period as a tagged PDF/UA-1 and the matching XLSX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cockpit import clock
from cockpit.reports import AUDIENCES, build_report, parse_period
from cockpit.reports.archive import generate_archived
from cockpit.reports.pdf import render_pdf
from cockpit.reports.xlsx import render_xlsx
from cockpit.roles import Role
from cockpit.runtime import open_cockpit

NAME = "report"
HELP = "write the council report on a period (goals, measures, sources) as PDF/UA and XLSX"


def _period(text: str):
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", required=True, type=_period, help="2026, 2026-H2 or 2026-Q4")
    parser.add_argument("--lang", choices=("de", "en"), default="de")
    parser.add_argument("--audience", choices=AUDIENCES, default="public",
                        help="public (default: nothing internal) or internal (the administration)")
    parser.add_argument("--out", required=True, help="the PDF file to write")
    parser.add_argument("--xlsx", help="the XLSX file to write (default: beside the PDF, same name)")
    parser.add_argument("--archive", action="store_true",
                        help="also store it in the archive (listed on /berichte when public); an archived report "
                             "with the same inputs is kept, not made again")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    if args.archive:
        archived = generate_archived(cockpit, args.period, args.audience, args.lang, created_by="cli")
        report, _data = cockpit.store.archived_report_file(Role.ADMIN, archived.id)
        Path(args.out).write_bytes(_data)
        xlsx = Path(args.xlsx) if args.xlsx else Path(args.out).with_suffix(".xlsx")
        xlsx.write_bytes(cockpit.store.archived_report_file(Role.ADMIN, archived.id, "xlsx")[1])
        state = "archived as" if archived.created else "unchanged inputs: kept archived report"
        print(f"report {report.period} ({report.audience}, {report.lang}): {state} {archived.id}; "
              f"pdf sha256 {report.pdf_sha256}", file=sys.stderr)
        return 0
    content = build_report(cockpit, args.period, args.audience, args.lang)
    out = Path(args.out)
    xlsx = Path(args.xlsx) if args.xlsx else out.with_suffix(".xlsx")
    out.write_bytes(render_pdf(content, clock.now()))
    xlsx.write_bytes(render_xlsx(content))
    print(f"report {args.period.code} ({args.audience}, {content.lang}): {out}, {xlsx}; data version "
          f"{content.provenance.data_version}, inputs sha256 {content.provenance.inputs_sha256}", file=sys.stderr)
    return 0
