"""Deterministic generators of the demo payloads, one module per published format."""

from datetime import date

DEMO_START = date(2019, 1, 1)
DEMO_END = date(2026, 11, 20)  # last day with demo data; fixed so the output never depends on the clock
SEED = 20261122
POPULATION = 93_000
