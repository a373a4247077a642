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
