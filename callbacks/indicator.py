"""Indicator page time range typed into the page: into the URL, by the shared clientside range callback
(`layouts.components.chart_table.range_callback`); the page is then rendered again from the URL on the server.
The resolution options and the table's sort headers are links to the next URL."""

from __future__ import annotations

from layouts import ids
from layouts.components.chart_table import range_callback

range_callback(ids.INDICATOR_FROM, ids.INDICATOR_TO)
