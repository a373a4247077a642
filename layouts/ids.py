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

# --- embed
EMBED_SCOPE = "embed-builder-scope"  # dcc.RadioItems: what to embed ("tile:<id>", "goal:<id>", "domain:<id>", "goals:")
EMBED_LANG = "embed-builder-lang"
EMBED_THEME = "embed-builder-theme"
EMBED_FLAGS = "embed-builder-flags"  # dcc.Checklist: "title", "border"
EMBED_CODE = "embed-builder-code"  # dcc.Textarea with the snippet
EMBED_COPY = "embed-builder-copy"  # button
EMBED_COPY_STATUS = "embed-builder-copy-status"  # live region
EMBED_PREVIEW = "embed-builder-preview"  # iframe
EMBED_BASE = "embed-builder-base"  # dcc.Store: the cockpit's public base URL
