"""The council wall `/wall`: fixed-viewport slides that rotate, refresh themselves and survive outages.

Configured by URL only: `/wall?slides=energy,mobility,waste,goals,indicator:<id>&every=30&theme=dark&lang=en`
(`refresh` = seconds between checks for new data, `shift=1` = burn-in care, `token` = a wall token for internal
indicators). Nothing on it is clickable. Rotation, clock, outage handling and the service worker live in
assets/wall.js; the refresh callback (callbacks/wall.py) re-renders the body when the data changed.
"""

from __future__ import annotations

import dash

from layouts.blueprints.wall import app_version, status_url
from layouts.components.wall import build_for, wall_page
from layouts.context import page_title

PATH = "/wall"
TITLE_KEY = "wall.page"

dash.register_page(__name__, path=PATH, name="wall", title=page_title(TITLE_KEY), title_key=TITLE_KEY, order=90)


def layout(**query) -> dash.html.Div:
    query = {key: value for key, value in query.items() if isinstance(value, str)}
    view = build_for(query)
    return wall_page(view, status_url(query), app_version())
