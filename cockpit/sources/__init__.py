"""Connectors, one per published format: fetch a payload and parse it into an observation frame (no DB)."""
