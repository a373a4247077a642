"""Auto-refresh of the goal tree (role resolved on the server, language from the URL)."""

from __future__ import annotations

from callbacks._refresh import refresh_callback, refreshed
from cockpit.views import build_goals
from layouts import ids
from layouts.components.goal import goals_content


@refresh_callback(ids.GOALS_CONTENT, ids.GOALS_STAMP, ids.GOALS_REFRESH)
def refresh_goals(search, shown):
    return refreshed(build_goals, goals_content, search, shown)
