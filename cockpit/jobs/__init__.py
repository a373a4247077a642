"""Ingest runs and the scheduler that triggers them, one job per source."""
