"""Council reports: the content model (`model`, pure, from the read model and the measures), its renderers
(`pdf`: tagged PDF/UA-1 through Typst, `charts`: SVG line charts, `xlsx`: the tables as a workbook).

Below the commands and the web layer (which call it), above the views (whose goal and measure view models it
reads)."""

from cockpit.reports.model import (
    AUDIENCES,
    GOAL_RULES_VERSION,
    ReportContent,
    ReportState,
    build_report,
)
from cockpit.reports.period import Period, parse_period

__all__ = ["AUDIENCES", "GOAL_RULES_VERSION", "Period", "ReportContent", "ReportState", "build_report",
           "parse_period"]
