"""`check-peers`: read the peer comparison's SDG-Portal exports (data/peers/peers.yaml), record the run and quarantine
every record or value that cannot be used (with file, record and field in the reason) as source 'sdg-portal', so the
operations page lists them; print a summary. Exit 1 when an export could not be read at all."""

from __future__ import annotations

import argparse

import pandas as pd

from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views.peers import peer_data

NAME = "check-peers"
HELP = "read the SDG-Portal exports of the peer comparison and quarantine what cannot be used"
SOURCE_ID = "sdg-portal"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    del args
    cockpit = open_cockpit()
    data = peer_data(cockpit)
    if data is None:
        print("peer comparison is off (COCKPIT_PEERS is empty or the file is missing)")
        return 0
    values = sum(len(series) for m in data.municipalities.values() for series in m.values.values())
    unreadable = [p for p in data.problems if p.split(":")[0] in data.unreadable]
    run_id = cockpit.store.start_run(SOURCE_ID)
    empty: pd.DataFrame = make_frame([])
    cockpit.store.write_batch(SOURCE_ID, run_id, empty, data.rejects, values + len(data.rejects),
                              message="; ".join(unreadable) or None)
    print(f"{len(data.municipalities)} municipalities read, {values} mapped values, "
          f"{len(data.rejects)} quarantined, {len(unreadable)} exports unreadable")
    for problem in data.problems:
        print(f"  {problem}")
    return 1 if unreadable else 0
