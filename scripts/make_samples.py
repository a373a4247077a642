"""Write the synthetic demo payloads under data/samples/demo/ in the publishers' real formats (deterministic).

Usage: python scripts/make_samples.py [--out data/samples/demo]
Each module in scripts/samples/ has generate(out: Path) and writes the payloads of one format.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GENERATORS = (
    "scripts.samples.smard",
    "scripts.samples.sensorthings",
    "scripts.samples.gbfs",
    "scripts.samples.ngsi",
    "scripts.samples.charging_register",
    "scripts.samples.statistics",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "samples" / "demo")
    args = parser.parse_args(argv)
    for name in GENERATORS:
        importlib.import_module(name).generate(args.out)
        print(f"{name}: written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
