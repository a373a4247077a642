"""Component ids used by pages, components, callbacks and tests (one place, no string literals elsewhere)."""

URL = "url"  # dcc.Location of the app shell: the callbacks read the language from its `search`
MAIN = "main"  # the <main> landmark (target of the skip link)

OVERVIEW_CONTENT = "overview-content"  # re-rendered by the refresh callback
OVERVIEW_REFRESH = "overview-refresh"  # dcc.Interval
OVERVIEW_STAMP = "overview-stamp"  # dcc.Store with the fingerprint of what is shown

GOALS_CONTENT = "goals-content"
GOALS_REFRESH = "goals-refresh"
GOALS_STAMP = "goals-stamp"

REFRESH_INTERVAL_MS = 5 * 60 * 1000  # auto-refresh of the pages (well above the query time)

DEMO_NOTICE = "demo-notice"


def tile(indicator_id: str) -> str:
    """The tile of an indicator on the overview: `tile-<indicator id>`."""
    return f"tile-{indicator_id}"


def goal(goal_id: str) -> str:
    """A goal card on the goals page: `goal-<goal id>`."""
    return f"goal-{goal_id}"


# --- wall
WALL = "wall"  # the wall's root element (data-* attributes configure assets/wall.js)
WALL_BODY = "wall-body"  # the slides, re-rendered by the refresh callback
WALL_TRIGGER = "wall-trigger"  # dcc.Store set by assets/wall.js when the server reports new data
WALL_STAND = "wall-stand"
WALL_REFRESHED = "wall-refreshed"
WALL_CLOCK = "wall-clock"
WALL_OFFLINE = "wall-offline"
WALL_PROGRESS = "wall-progress"


def wall_slide(key: str) -> str:
    """A slide of the wall: `wall-slide-<key>`."""
    return f"wall-slide-{key}"
