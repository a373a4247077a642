"""The viewer's role, resolved on the server for every request, and the staff login.

Public visitors are never asked for anything and get no cookie. Staff log in at /login with the password
from COCKPIT_INTERNAL_PASSWORD; the signed Flask session then says role=internal together with a
fingerprint of the password (changing the password logs everybody out). Without a configured password
the login is disabled and every request is public. The role is never taken from a callback input: pages
and callbacks call `current_role()` and pass it to the store, which filters in SQL.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from datetime import timedelta
from urllib.parse import urlsplit

import flask

from cockpit.i18n import t
from cockpit.roles import Role, Viewer
from layouts.context import current_cockpit, page_url, resolve_lang

SESSION_ROLE = "role"
SESSION_AUTH = "auth"
SESSION_LIFETIME = timedelta(hours=12)
MAX_FAILURES = 5  # failed logins per client address ...
FAILURE_WINDOW = 300.0  # ... within this many seconds, then 429
THROTTLE_KEY = "cockpit.login_throttle"

bp = flask.Blueprint("auth", __name__)


def _password() -> str | None:
    return current_cockpit().settings.internal_password or None


def login_enabled() -> bool:
    return _password() is not None


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()  # equal length, so the comparison leaks nothing


def _fingerprint(password: str) -> str:
    key = flask.current_app.secret_key
    key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key, b"internal-login\x00" + password.encode("utf-8"), hashlib.sha256).hexdigest()


def current_role() -> Role:
    """INTERNAL only for a session created by a successful login with the current password."""
    if not flask.has_request_context():
        return Role.PUBLIC
    password = _password()
    if password is None or flask.session.get(SESSION_ROLE) != Role.INTERNAL.value:
        return Role.PUBLIC
    given = flask.session.get(SESSION_AUTH)
    if not isinstance(given, str) or not hmac.compare_digest(given, _fingerprint(password)):
        return Role.PUBLIC
    return Role.INTERNAL


def current_viewer() -> Viewer:
    """The viewer of this request (role, and for staff accounts login name and department)."""
    return Viewer(current_role())


def init_app(server: flask.Flask) -> None:
    server.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    server.extensions[THROTTLE_KEY] = _Throttle()
    server.register_blueprint(bp)


# ------------------------------------------------------------------------------------------------ throttle


class _Throttle:
    """Failed logins per client address in a sliding window (per process)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures: dict[str, deque] = {}

    def _recent(self, key: str, now: float) -> deque:
        window = self.failures.get(key, deque())
        while window and now - window[0] > FAILURE_WINDOW:
            window.popleft()
        if not window:
            self.failures.pop(key, None)
        return window

    def blocked(self, key: str) -> bool:
        with self.lock:
            return len(self._recent(key, time.monotonic())) >= MAX_FAILURES

    def fail(self, key: str) -> None:
        with self.lock:
            now = time.monotonic()
            window = self._recent(key, now)
            window.append(now)
            self.failures[key] = window

    def reset(self, key: str) -> None:
        with self.lock:
            self.failures.pop(key, None)


# ------------------------------------------------------------------------------------------------ views

_LOGIN_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{{ title }} – {{ brand }}</title>
  <link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">
  <link rel="stylesheet" href="/assets/cockpit.css">
</head>
<body class="login-page">
  <header class="site-header" role="banner">
    <div class="site-header__inner">
      <a class="brand" href="{{ home }}"><span class="brand__mark" aria-hidden="true"></span>
        <span class="brand__text"><span class="brand__name">{{ brand }}</span>
        <span class="brand__city">{{ tagline }}</span></span></a>
    </div>
  </header>
  <main id="main" class="login">
    <h1>{{ title }}</h1>
    <p>{{ intro }}</p>
    {% if error %}<p class="login__error" role="alert">{{ error }}</p>{% endif %}
    {% if enabled %}
    <form method="post" class="login__form">
      <input type="text" name="username" value="staff" autocomplete="username" hidden>
      <label for="password">{{ password_label }}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
      <button type="submit">{{ submit }}</button>
    </form>
    {% endif %}
    <p><a href="{{ home }}">{{ back }}</a></p>
  </main>
</body>
</html>"""


def _safe_next(value: str | None, lang: str) -> str:
    """Only same-site paths ('/goals?lang=en'); anything else goes to the overview.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so a slash, a tab and a slash,
    or a slash and a backslash would leave the site: no whitespace, control characters or backslashes at all.
    """
    if (value and value.startswith("/") and not value.startswith("//") and "\\" not in value
            and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value)):
        return value
    return page_url("/", lang)


def _same_origin() -> bool:
    """No cross-site form posts (compares the host only, so a TLS-terminating proxy does not matter)."""
    origin = flask.request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == flask.request.host


def _login_page(lang: str, error: str | None = None, status: int = 200):
    city = current_cockpit().catalog.city.get(lang)
    html = flask.render_template_string(
        _LOGIN_PAGE, lang=lang, title=t("ui.login.title", lang), brand=t("ui.brand", lang),
        tagline=t("ui.brand.tagline", lang, city=city), intro=t("ui.login.intro", lang), error=error,
        enabled=login_enabled(), password_label=t("ui.login.password", lang), submit=t("ui.login.submit", lang),
        back=t("ui.login.back", lang), home=page_url("/", lang),
    )
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    lang = resolve_lang(flask.request.args.get("lang"))
    if not login_enabled():
        return _login_page(lang, t("ui.login.disabled", lang), 404)
    if flask.request.method == "GET":
        return _login_page(lang)
    if not _same_origin():
        flask.abort(403)
    client = flask.request.remote_addr or "?"
    throttle: _Throttle = flask.current_app.extensions[THROTTLE_KEY]
    if throttle.blocked(client):
        return _login_page(lang, t("ui.login.throttled", lang), 429)
    given = flask.request.form.get("password", "")
    if not hmac.compare_digest(_digest(given), _digest(_password())):
        throttle.fail(client)
        return _login_page(lang, t("ui.login.error", lang), 401)
    throttle.reset(client)
    flask.session.clear()
    flask.session.permanent = True
    flask.session[SESSION_ROLE] = Role.INTERNAL.value
    flask.session[SESSION_AUTH] = _fingerprint(_password())
    return flask.redirect(_safe_next(flask.request.args.get("next"), lang), 303)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    lang = resolve_lang(flask.request.args.get("lang"))
    flask.session.clear()
    response = flask.redirect(page_url("/", lang), 303)
    response.headers["Cache-Control"] = "no-store"
    return response
