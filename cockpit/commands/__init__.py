"""CLI commands of the core, one module each."""
