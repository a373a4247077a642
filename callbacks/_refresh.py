"""What the page callbacks share: refreshing a page's content for the request's viewer and language."""

from __future__ import annotations

from dash import no_update

from cockpit.roles import Role
from layouts.auth import current_viewer
from layouts.cache import public_cached
from layouts.context import current_cockpit, lang_from_search


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
