"""Auto-refresh of the overview's tile grid (role resolved on the server, language from the URL)."""

from __future__ import annotations

from callbacks._refresh import refresh_callback, refreshed
from cockpit.views import build_overview
from layouts import ids
from layouts.components.tile import overview_content


@refresh_callback(ids.OVERVIEW_CONTENT, ids.OVERVIEW_STAMP, ids.OVERVIEW_REFRESH)
def refresh_overview(search, shown):
    return refreshed(build_overview, overview_content, search, shown)
