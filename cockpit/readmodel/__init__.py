"""The evaluated read model: what one role may see on one day, read from the store's aggregates and evaluated
against the goals once, shared by the pages, the wall, the web API and the alert job.

Below `cockpit.views` (views only shape a snapshot for a screen, in the viewer's language) and above `kpi` and
`store` (which it reads and applies). Nothing here knows a page, a language or Dash.
"""
