"""The web app factory: a Flask server with the cockpit wired in, Dash Pages on top, security headers.

    app = create_app()                 # settings from COCKPIT_* variables, database migrated
    app = create_app(cockpit=cockpit)  # an already opened cockpit (tests, the `serve` command)

No scheduler is started here; the `serve` command does that. Dash keeps callbacks and pages in global
registries, so run one app per process (tests create several one after the other, which works).
"""

from __future__ import annotations

import gc
import html as html_text
import logging
import re
import secrets

import dash
import flask
from dash import dcc, html

import callbacks
from cockpit import PROJECT_ROOT
from cockpit.config import Settings, load_settings
from cockpit.i18n import t
from cockpit.runtime import Cockpit, open_cockpit
from layouts import auth, blueprints, hardening, ids, security
from layouts.context import COCKPIT_KEY, current_cockpit, document_title, resolve_lang

log = logging.getLogger(__name__)

PACKAGE = "layouts"
PAGES_FOLDER = PROJECT_ROOT / "layouts" / "pages"
ASSETS_FOLDER = PROJECT_ROOT / "assets"
SESSION_COOKIE = auth.SESSION_COOKIE  # the staff session (server-side record, see layouts.auth)
FLOW_COOKIE = "cockpit_flow"  # Flask's signed cookie: only the state of a single-sign-on login in progress

_INDEX = """<!DOCTYPE html>
<html lang="{lang}">
  <head>
    {metas}
    <title>{title}</title>
    {favicon}
    {css}
  </head>
  <body>
    <noscript><p class="noscript">{noscript}</p></noscript>
    {app_entry}
    {config}
    {scripts}
    {renderer}
  </body>
</html>"""


class CockpitDash(dash.Dash):
    """Dash with an index page in the viewer's language that carries the request's CSP nonce."""

    def interpolate_index(self, metas="", title="", css="", config="", scripts="", app_entry="", favicon="",
                          renderer="", **_kwargs):
        request = flask.request
        lang = resolve_lang(request.args.get("lang"))
        nonce = security.csp_nonce()
        city = current_cockpit().catalog.city.get(lang)
        title_key = "ui.notfound.title"
        page = hardening.page_for(request.path)
        if page is not None:
            title_key = page.get("title_key", title_key)
        else:
            hardening.mark_not_found()  # the 404 page, with HTTP status 404
        app_entry = app_entry.replace("Loading...", html_text.escape(t("ui.loading", lang)))
        description = html_text.escape(t("ui.meta.description", lang, city=city), quote=True)
        metas = f'{metas}\n    <meta name="description" content="{description}">'
        favicon = ('<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">\n    '
                   '<link rel="alternate icon" href="/assets/favicon.ico">')
        return _INDEX.format(
            lang=lang,
            metas=metas,
            title=html_text.escape(document_title(title_key, lang, city)),
            favicon=favicon,
            css=css,
            noscript=html_text.escape(t("ui.noscript", lang)),
            app_entry=app_entry,
            config=_with_nonce(config, nonce),
            scripts=_with_nonce(scripts, nonce),
            renderer=_with_nonce(renderer, nonce),
        )

    def _config(self):
        config = super()._config()
        config.pop("python_version", None)  # nothing for scanners
        return config


_SCRIPT_TAG = re.compile(r"<script(?=[\s>])")


def _with_nonce(markup: str, nonce: str) -> str:
    return _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', markup)


def create_server(cockpit: Cockpit) -> flask.Flask:
    """The Flask server: cockpit, session settings, login routes and security headers (no Dash yet)."""
    settings = cockpit.settings
    server = flask.Flask(PACKAGE, root_path=str(PROJECT_ROOT / "layouts"), static_folder=None)
    secret = settings.secret_key
    if not secret:
        secret = secrets.token_hex(32)
        if settings.workers > 1:
            log.warning("COCKPIT_SECRET_KEY is not set: logout forms and single sign-on fail across workers")
    server.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME=FLOW_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=int(settings.session_hours * 3600),
        MAX_CONTENT_LENGTH=2 * 2**20,
    )
    server.config[COCKPIT_KEY] = cockpit
    hardening.init_app(server, settings)
    auth.init_app(server)
    security.init_app(server, settings.embed_origins)
    security.init_hsts(server, settings.hsts_seconds)
    blueprints.register_all(server)
    return server


def root_layout() -> html.Div:
    """The app layout: a location (its `search` gives callbacks the language) and the page container."""
    return html.Div([dcc.Location(id=ids.URL, refresh=False), dash.page_container], className="root")


def create_app(cockpit: Cockpit | None = None, settings: Settings | None = None) -> dash.Dash:
    """Build the Dash app for `cockpit` (opened from `settings`, or from the environment, if not given)."""
    if cockpit is None:
        cockpit = open_cockpit(settings or load_settings())
    server = create_server(cockpit)
    app = CockpitDash(
        PACKAGE,
        server=server,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        assets_folder=str(ASSETS_FOLDER),
        serve_locally=True,
        external_scripts=[],
        external_stylesheets=[],
        include_pages_meta=False,
        title=t("app.title", cockpit.settings.default_lang),
        update_title=None,
        suppress_callback_exceptions=True,  # page components are not in the root layout
        meta_tags=[{"name": "theme-color", "content": "#1d4f91"}, {"name": "color-scheme", "content": "light"}],
    )
    app.layout = root_layout
    server.extensions[hardening.DASH_KEY] = app
    callbacks.load()
    _take_over_callbacks(app)
    return app


def _take_over_callbacks(app: dash.Dash) -> None:
    """Let Dash finish its setup now (it does so on the first request), so this app owns the callbacks
    registered with `@dash.callback` before another app could be created in the same process."""
    with app.server.test_client() as client:
        client.get("/_dash-dependencies")


def freeze_startup_objects() -> None:
    """Call once a worker's app is built: moves every object alive then (modules, app, catalog) into the garbage
    collector's permanent generation, so that its full collections no longer walk them. Those walks were the
    100-200 ms pauses behind the explorer's p95 (a render allocates enough objects to trigger them)."""
    gc.collect()
    gc.freeze()
