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


# --- measures
MEASURES_CONTENT = "measures-content"
MEASURES_FILTERS = "measures-filters"
MEASURE_CONTENT = "measure-content"
MEASURE_REPORTS = "measure-reports"  # the report history
MEASURE_FORM = "measure-report-form"
MEASURE_FORM_STATUS = "measure-report-status"
MEASURE_FORM_PERCENT = "measure-report-percent"
MEASURE_FORM_MILESTONE = "measure-report-milestone"
MEASURE_FORM_TEXT = "measure-report-text"
MEASURE_FORM_SUBMIT = "measure-report-submit"
MEASURE_FORM_MESSAGE = "measure-report-message"
STATUS_CONTENT = "status-content"
MEASURES_OVERVIEW_OVERDUE = "measures-overview-overdue"  # the overview's line on overdue progress reports


def goal_measure(goal_id: str, measure_id: str) -> str:
    """A measure in a goal card's measures block: `goal-<goal id>-measure-<measure id>`."""
    return f"goal-{goal_id}-measure-{measure_id}"


def measure(measure_id: str) -> str:
    """A measure card in lists (measures page, goal page): `measure-<measure id>`."""
    return f"measure-{measure_id}"


# --- embed
# The embed builder's controls are native <select>s handled by assets/embed-builder.js (no Dash callback).
EMBED_BUILDER = "embed-builder"  # root, data-base = the cockpit's public base URL
EMBED_SCOPE = "embed-builder-scope"  # what to embed: options carry data-path, data-height, data-title-<lang>
EMBED_LANG = "embed-builder-lang"
EMBED_THEME = "embed-builder-theme"
EMBED_TITLE = "embed-builder-title"  # "1" | "0"
EMBED_BORDER = "embed-builder-border"  # "1" | "0"
EMBED_CODE = "embed-builder-code"  # read-only textarea with the snippet
EMBED_COPY = "embed-builder-copy"  # button
EMBED_COPY_STATUS = "embed-builder-copy-status"  # live region
EMBED_PREVIEW = "embed-builder-preview"  # iframe


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
EXPLORE_PEERS = "explore-peers"  # checklist: the comparison with other cities (layouts/components/peers_figure.py)
EXPLORE_PRESET = "explore-preset"  # pattern-matching type of the preset buttons
EXPLORE_PROBLEMS = "explore-problems"
EXPLORE_RANK_PER1000 = "explore-rank-per1000"
EXPLORE_RANK_ABSOLUTE = "explore-rank-absolute"
EXPLORE_MAP = "explore-map"
EXPLORE_TABLE = "explore-table"
EXPLORE_EXPORT_CSV = "explore-export-csv"
EXPLORE_EXPORT_XLSX = "explore-export-xlsx"
EXPLORE_EXPORT_META = "explore-export-meta"
EXPLORE_FILTERS = "explore-filters"
EXPLORE_RESULTS = "explore-results"  # everything a filter change updates in place
EXPLORE_STATUS = "explore-status"  # polite live region: what a filter change did
EXPLORE_QUERY = "explore-query"  # store: the query of the view shown (pushed into the URL in the browser)
EXPLORE_PUSHED = "explore-pushed"  # store: the last query pushed (output of the clientside push)
EXPLORE_POPPED = "explore-popped"  # store: the URL search after back/forward (set by assets/explorer.js)
EXPLORE_SORT = "explore-sort"  # store: a sort header clicked (set by assets/explorer.js)
EXPLORE_LANG = "explore-lang"  # store: the page's language


def explore_panel(indicator_id: str) -> str:
    """The small multiple of an indicator in the explorer: `explore-panel-<indicator id>`."""
    return f"explore-panel-{indicator_id}"


def explore_preset(preset: str) -> dict:
    return {"type": EXPLORE_PRESET, "preset": preset}

SPARK_TABLE = "spark-table"  # pattern-matching type of a tile's "Daten als Tabelle" <details>
SPARK_ROWS = "spark-rows"  # pattern-matching type of its table region, filled when it is first opened


def spark_table(indicator_id: str) -> dict:
    return {"type": SPARK_TABLE, "indicator": indicator_id}


def spark_rows(indicator_id: str) -> dict:
    return {"type": SPARK_ROWS, "indicator": indicator_id}
