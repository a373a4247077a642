"""SmartCity Cockpit core: configuration, catalog, sources, jobs, store and KPI logic (no Dash here)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

__version__ = "0.1.0"
