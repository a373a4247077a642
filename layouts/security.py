"""Security headers on every response: a strict Content-Security-Policy with a per-request nonce, and friends.

Scripts: Dash's inline scripts (the renderer start, the clientside callback of Dash Pages) carry the
request's nonce (see CockpitDash.interpolate_index), so scripts need neither 'unsafe-inline' nor
'unsafe-eval'. Styles: our stylesheet is a file; React sets element styles through the CSSOM (not subject
to CSP); only Dash's bundles inject <style> elements without a nonce, which style-src-elem allows.
Sparklines and status icons are SVG data: URLs, hence img-src data:; a chart's image download draws the chart's SVG
as a blob: URL into a canvas (plotly's toImage), hence img-src blob: (same-origin objects the page made itself).
"""

from __future__ import annotations

import secrets

import flask

NONCE_KEY = "csp_nonce"
EMBED_ROUTE = "embed_route"  # flask.g flag: the response may be framed by COCKPIT_EMBED_ORIGINS (embed routes)
PUBLIC_ROUTE = "public_route"  # flask.g flag: public data only, the same for every visitor (shared caches ok)


def mark_public(embed: bool = False) -> None:
    """Called by the embed and open-data routes: the response never depends on cookies; `embed` lets the
    configured origins frame it (every other page may be framed by the cockpit itself only)."""
    flask.g.setdefault(PUBLIC_ROUTE, True)
    if embed:
        flask.g.setdefault(EMBED_ROUTE, True)


def csp_nonce() -> str:
    """The nonce of the current request (created on first use)."""
    nonce = flask.g.get(NONCE_KEY)
    if nonce is None:
        nonce = flask.g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def content_security_policy(nonce: str, embed_origins: list[str]) -> str:
    ancestors = " ".join(["'self'", *embed_origins])
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        # Dash's own bundles (renderer, dcc) insert <style> elements through webpack's style-loader, which
        # cannot carry a nonce; allow inline style *elements* only, never style attributes in markup.
        "style-src-elem 'self' 'unsafe-inline'",
        "style-src-attr 'none'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ])


def init_app(server: flask.Flask, embed_origins: list[str]) -> None:
    origins = [o.rstrip("/") for o in embed_origins]

    @server.after_request
    def _security_headers(response: flask.Response) -> flask.Response:
        headers = response.headers
        embed = flask.g.get(EMBED_ROUTE, False)
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), origins if embed else [])
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not (embed and origins):
            headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without frame-ancestors
        public = flask.g.get(PUBLIC_ROUTE, False)
        if not public and flask.request.cookies:
            # a logged-in response may hold internal data: never in a shared cache
            headers["Cache-Control"] = "private, no-store"
            headers.add("Vary", "Cookie")
        return response


# --- accounts: HSTS (COCKPIT_HSTS_SECONDS) and no version banner
def init_hsts(server: flask.Flask, max_age: int) -> None:
    @server.after_request
    def _hsts(response: flask.Response) -> flask.Response:
        if max_age > 0:
            response.headers["Strict-Transport-Security"] = f"max-age={max_age}; includeSubDomains"
        return response
