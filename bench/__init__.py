"""Benchmarks of the cockpit at scale (not run by pytest): `python -m bench --size 1000000`."""
