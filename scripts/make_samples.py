"""Write the synthetic demo payloads under data/samples/demo/ in the publishers' real formats (deterministic).

Usage: python scripts/make_samples.py [--out data/samples/demo] [--today YYYY-MM-DD]
Each module in cockpit/demo/samples/ has generate(out: Path, calendar) and writes the payloads of one format.
Without --today it writes the committed payloads (the connector test fixtures, ending on 2026-11-20); with
--today the payloads of the running demo for that day (what the cockpit generates itself, see cockpit/demo/).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cockpit.catalog import load_catalog  # noqa: E402 - the project root is on sys.path from here
from cockpit.demo import GENERATORS, calendar_for  # noqa: E402
from cockpit.demo.samples import FIXTURE  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "samples" / "demo")
    parser.add_argument("--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="write the running demo as of this day instead of the committed payloads")
    args = parser.parse_args(argv)
    calendar = FIXTURE
    if args.today:
        calendar = calendar_for(load_catalog(ROOT / "data" / "catalog.yaml"), args.today)
    for module in GENERATORS:
        module.generate(args.out, calendar)
        print(f"{module.__name__}: written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
