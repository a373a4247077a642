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


# --- explorer
# Dash Pages' own location (refresh='callback-nav'): a callback setting its `search` pushes a history entry and
# routes the page again, so the page is rendered from the new URL (setting URL.search would only push the entry).
PAGES_LOCATION = "_pages_location"
INDICATOR_CONTENT = "indicator-content"
INDICATOR_RES = "indicator-res"
INDICATOR_FROM = "indicator-from"
INDICATOR_TO = "indicator-to"
INDICATOR_GOAL_CHART = "indicator-goal-chart"
INDICATOR_SERIES_CHART = "indicator-series-chart"
INDICATOR_TABLE = "indicator-table"
INDICATOR_ANNUAL_TABLE = "indicator-annual-table"
EXPLORE_CONTENT = "explore-content"
EXPLORE_IND = "explore-ind"
EXPLORE_DISTRICT = "explore-district"
EXPLORE_DOMAIN = "explore-domain"
EXPLORE_DEPARTMENT = "explore-department"
EXPLORE_FROM = "explore-from"
EXPLORE_TO = "explore-to"
EXPLORE_RES = "explore-res"
EXPLORE_NORM = "explore-norm"
EXPLORE_PRESET = "explore-preset"  # pattern-matching type of the preset buttons
EXPLORE_PROBLEMS = "explore-problems"
EXPLORE_RANK_PER1000 = "explore-rank-per1000"
EXPLORE_RANK_ABSOLUTE = "explore-rank-absolute"
EXPLORE_MAP = "explore-map"
EXPLORE_TABLE = "explore-table"
EXPLORE_EXPORT_CSV = "explore-export-csv"
EXPLORE_EXPORT_XLSX = "explore-export-xlsx"


def explore_panel(indicator_id: str) -> str:
    """The small multiple of an indicator in the explorer: `explore-panel-<indicator id>`."""
    return f"explore-panel-{indicator_id}"


def explore_preset(preset: str) -> dict:
    return {"type": EXPLORE_PRESET, "preset": preset}
