"""What the page callbacks share: refreshing a page's content for the request's viewer and language."""

from __future__ import annotations

import dash
from dash import Input, Output, State, no_update

from cockpit.roles import Role
from layouts import ids
from layouts.auth import current_viewer
from layouts.cache import public_cached
from layouts.context import current_cockpit, lang_from_search
from layouts.hardening import expect


def refreshed(build, render, search: str | None, shown: str | None):
    """A page refresh: build the view for this request's role and language; re-render only if it changed.
    Public responses come from the response cache (per page, language and data version)."""
    cockpit, viewer, lang = current_cockpit(), current_viewer(), lang_from_search(search)

    def compute():
        view = build(cockpit, viewer, lang)
        return view.fingerprint, render(view)

    if viewer.role == Role.PUBLIC:
        fingerprint, rendered = public_cached(f"{build.__module__}.{build.__qualname__}", lang, cockpit, compute)
        if fingerprint == shown:
            return no_update, no_update
        return rendered, fingerprint
    view = build(cockpit, viewer, lang)
    if view.fingerprint == shown:
        return no_update, no_update
    return render(view), view.fingerprint


def refresh_callback(content: str, stamp: str, timer: str):
    """Register `page_refresh(search, shown)` as a page's auto-refresh: every tick of the `timer` interval it
    gets the URL's query and the fingerprint shown (both checked first) and answers the content's children and
    the new fingerprint."""

    def register(page_refresh):
        @dash.callback(
            Output(content, "children"),
            Output(stamp, "data"),
            Input(timer, "n_intervals"),
            State(ids.URL, "search"),
            State(stamp, "data"),
            prevent_initial_call=True,
        )
        def refresh(n_intervals, search, shown):
            expect(n_intervals, int, type(None), name="n_intervals")
            expect(search, str, type(None), name="search")
            expect(shown, str, type(None), name="shown")
            return page_refresh(search, shown)

        return refresh

    return register
