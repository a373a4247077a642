"""The viewer of each request, resolved on the server, and the staff login with named accounts.

Public visitors are never asked for anything and get no cookie. Staff log in at /login with their account (or
by single sign-on, `layouts.sso`); the cookie `cockpit_session` then holds a random session id whose hash is a
row in the database (`cockpit.accounts`): it ends after 12 h, after 2 h without a request, at logout (POST with
a CSRF token), when the password changes and when an admin ends it - in every worker and on every host at once.
The role is never taken from a callback input: pages and callbacks call `current_viewer()` / `current_role()`
and pass the result to the store, which filters in SQL.

Why not Flask-Login: its session lives in Flask's signed cookie, which cannot be revoked server-side; the small
part it would add (a user loader) is `current_viewer()` below. CSRF: the logout token is an HMAC of the session
id with the app secret (double submit without another cookie). The login form carries a pre-session token: a
random value kept in Flask's signed cookie `cockpit_flow`, which only the login page sets (strictly necessary,
HttpOnly, SameSite=Lax, ends with the browser session) and a successful login empties; a POST without it, or with
another one, is refused (403) like a cross-site POST (Origin check).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import flask

from cockpit.accounts import AccountError, Accounts, BoundedSleep, SessionPolicy
from cockpit.i18n import t
from cockpit.printable import printable
from cockpit.roles import PUBLIC_VIEWER, Role, Viewer
from cockpit.views.legal import legal_links
from layouts import sso
from layouts.context import current_cockpit, page_url, resolve_lang
from layouts.hardening import valid_text

log = logging.getLogger(__name__)

SESSION_COOKIE = "cockpit_session"
ACCOUNTS_KEY = "cockpit.accounts"
CSRF_FIELD = "csrf_token"
_LOGIN_CSRF = "login_csrf"  # the login form's pre-session token, in the signed flow cookie
_VIEWER = "cockpit.viewer"
_DROP = "cockpit.drop_session"
_LOGIN_ENABLED = "cockpit.login_enabled"
_ACCOUNTS_EXIST = "cockpit.accounts_exist"  # app.extensions: an account has been seen (see _accounts_exist)
_DELAYS = "cockpit.login_delays"
_PINNED = "cockpit.primary_only"

bp = flask.Blueprint("auth", __name__)


def accounts() -> Accounts:
    return flask.current_app.extensions[ACCOUNTS_KEY]


def sso_enabled() -> bool:
    return bool(current_cockpit().settings.oidc_issuer)


def login_enabled() -> bool:
    """Login is offered when an account exists or single sign-on is configured."""
    if not flask.has_request_context():
        return False
    environ = flask.request.environ
    if _LOGIN_ENABLED not in environ:
        environ[_LOGIN_ENABLED] = sso_enabled() or _accounts_exist()
    return environ[_LOGIN_ENABLED]


def _accounts_exist() -> bool:
    """Whether an account exists. Accounts are never deleted (only deactivated), so once one is seen the answer
    is kept for the app and the store is not asked on every page again."""
    extensions = flask.current_app.extensions
    if not extensions.get(_ACCOUNTS_EXIST):
        extensions[_ACCOUNTS_EXIST] = accounts().store.count_users() > 0
    return extensions[_ACCOUNTS_EXIST]


def _token() -> str | None:
    return flask.request.cookies.get(SESSION_COOKIE)


def current_viewer() -> Viewer:
    """The viewer of this request: role, login name and department of a live session, else public."""
    if not flask.has_request_context():
        return PUBLIC_VIEWER
    environ = flask.request.environ  # per request (flask.g may outlive a request inside an app context)
    viewer = environ.get(_VIEWER)
    if viewer is None:
        token = _token()
        viewer = accounts().viewer(token) if token else None
        if viewer is None:
            viewer = PUBLIC_VIEWER
            if token:
                environ.setdefault(_DROP, True)  # an ended session: remove the stale cookie
        environ.setdefault(_VIEWER, viewer)
    return viewer


def render_viewer_as(user: str) -> None:
    """Let this request's page render show `user` as the login name (a mark the page cache replaces per viewer,
    layouts.page_cache); the role and department, which decide what is shown, stay the session's."""
    viewer = current_viewer()
    if viewer.role != Role.PUBLIC:
        flask.request.environ[_VIEWER] = replace(viewer, user=user)


def current_role() -> Role:
    """PUBLIC, INTERNAL (staff) or ADMIN for this request (see current_viewer)."""
    return current_viewer().role


def client_address() -> str:
    """The client's address (the real one when COCKPIT_TRUSTED_PROXIES matches the proxies in front)."""
    return (flask.request.remote_addr or "?")[:64]


def csrf_token() -> str:
    """The token that a logout form must carry: bound to this session, useless to anyone without the cookie."""
    token = _token()
    if not token or current_viewer().role == Role.PUBLIC:
        return ""
    key = flask.current_app.secret_key
    key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key, b"csrf\x00" + token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def valid_csrf(given) -> bool:
    """True if `given` is this session's CSRF token (forms of logged-in staff: logout, reports, admin)."""
    expected = csrf_token()
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(given.encode("utf-8", "replace"),
                                                                             expected.encode("ascii"))


def login_form_token() -> str:
    """The login form's pre-session token (created on first use; sets the flow cookie on this response)."""
    token = flask.session.get(_LOGIN_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        flask.session[_LOGIN_CSRF] = token
    return token


def _login_token_valid() -> bool:
    expected, given = flask.session.get(_LOGIN_CSRF), flask.request.form.get(CSRF_FIELD, "")
    return isinstance(expected, str) and isinstance(given, str) and hmac.compare_digest(
        given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))


def _secure() -> bool:
    return current_cockpit().settings.cookie_secure or flask.request.is_secure


def start_session(response: flask.Response, user: dict, how: str) -> flask.Response:
    """Log `user` in on `response`: a new server-side session and its cookie (never reused across logins)."""
    old = _token()
    if old:
        accounts().end_session(old, client_address())
    token = accounts().start_session(user, client_address(), how)
    policy = accounts().policy
    response.set_cookie(SESSION_COOKIE, token, max_age=int(policy.lifetime.total_seconds()), path="/",
                        httponly=True, samesite="Lax", secure=_secure())
    flask.request.environ.pop(_DROP, None)
    return response


def _drop_cookie(response: flask.Response) -> flask.Response:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=_secure())
    return response


def init_app(server: flask.Flask) -> None:
    cockpit = server.config["COCKPIT"]
    settings = cockpit.settings
    policy = SessionPolicy(lifetime=_hours(settings.session_hours), idle=_hours(settings.session_idle_minutes / 60))
    accounts_ = Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments}, policy)
    accounts_.bootstrap_admin(settings.internal_password)
    server.extensions[ACCOUNTS_KEY] = accounts_
    server.extensions[_DELAYS] = BoundedSleep(max(1, settings.threads // 2))  # half the threads stay free
    server.register_blueprint(bp)

    @server.after_request
    def _stale_session_cookie(response: flask.Response) -> flask.Response:
        if flask.request.environ.get(_DROP):
            _drop_cookie(response)
        return response

    if cockpit.store.read_engine is not None:
        _staff_read_the_primary(server)
    sso.init_app(server)


def _staff_read_the_primary(server: flask.Flask) -> None:
    """With a read replica: a request that carries a staff session reads only the primary, so that staff see
    what they have just written (a progress report, an account change) whatever the replica's lag. Public reads
    go to the replica while it has caught up with the primary's data version (`cockpit.store.replica`)."""

    @server.before_request
    def _pin():
        if _token():
            stack = contextlib.ExitStack()
            stack.enter_context(current_cockpit().store.primary())
            flask.request.environ[_PINNED] = stack

    @server.teardown_request
    def _unpin(_exc):
        stack = flask.request.environ.pop(_PINNED, None)
        if stack is not None:
            stack.close()


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


# ------------------------------------------------------------------------------------------------ views

# The top of the staff pages that are plain Flask pages (login, logout, account administration).
STAFF_PAGE_TOP = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{{ title }} – {{ brand }}</title>
  <link rel="icon" type="image/svg+xml" href="/assets/favicon.svg">
  <link rel="stylesheet" href="/assets/cockpit.css">
  <link rel="stylesheet" href="/assets/accounts.css">
  <link rel="stylesheet" href="/assets/embed.css">
</head>
<body class="login-page">
  <header class="site-header" role="banner">
    <div class="site-header__inner">
      <a class="brand" href="{{ home }}"><span class="brand__mark" aria-hidden="true"></span>
        <span class="brand__text"><span class="brand__name">{{ brand }}</span>
        <span class="brand__city">{{ tagline }}</span></span></a>
    </div>
  </header>
"""

_PAGE = STAFF_PAGE_TOP + """  <main id="main" class="login">
    <h1>{{ title }}</h1>
    <p>{{ intro }}</p>
    {% if error %}<p class="login__error" role="alert">{{ error }}</p>{% endif %}
    {% if kind == "login" and enabled %}
    {% if sso %}<p><a class="login__sso" href="{{ sso_url }}">{{ sso_label }}</a></p><p>{{ or_label }}</p>{% endif %}
    <form method="post" class="login__form">
      <input type="hidden" name="csrf_token" value="{{ login_csrf }}">
      <label for="username">{{ username_label }}</label>
      <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
             spellcheck="false" maxlength="64" required autofocus value="{{ username }}">
      <label for="password">{{ password_label }}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required>
      <button type="submit">{{ submit }}</button>
    </form>
    {% elif kind == "logout" and csrf %}
    <form method="post" class="login__form">
      <input type="hidden" name="csrf_token" value="{{ csrf }}">
      <button type="submit">{{ submit }}</button>
    </form>
    {% endif %}
    <p><a href="{{ home }}">{{ back }}</a></p>
  </main>
  <footer class="site-footer"><div class="site-footer__inner">
    <nav class="legal-links" aria-label="{{ legal_label }}"><ul class="legal-links__list">
      {% for link in legal %}<li><a href="{{ link.href }}" data-legal="{{ link.key }}">{{ link.label }}</a></li>{% endfor %}
    </ul></nav>
  </div></footer>
</body>
</html>"""


def _safe_next(value: str | None, lang: str) -> str:
    """Only same-site paths ('/goals?lang=en'); anything else goes to the overview.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so a slash, a tab and a slash,
    or a slash and a backslash would leave the site: no whitespace, control characters or backslashes at all.
    """
    if (isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value
            and len(value) <= 512 and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value)):
        return value
    return page_url("/", lang)


def _same_origin() -> bool:
    """No cross-site form posts (compares the host only, so a TLS-terminating proxy does not matter)."""
    origin = flask.request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == flask.request.host


def render_page(lang: str, kind: str = "login", error: str | None = None, status: int = 200, username: str = ""):
    city = current_cockpit().catalog.city.get(lang)
    logout = kind == "logout"
    next_path = _safe_next(flask.request.args.get("next"), lang)
    html = flask.render_template_string(
        _PAGE, lang=lang, kind=kind, brand=t("ui.brand", lang), tagline=t("ui.brand.tagline", lang, city=city),
        title=t("accounts.logout.title" if logout else "ui.login.title", lang),
        intro=t("accounts.logout.intro" if logout else "accounts.login.intro", lang), error=error,
        enabled=login_enabled(), sso=sso_enabled(), sso_label=t("accounts.login.sso", lang),
        sso_url="/login/sso?" + urlencode({"lang": lang, "next": next_path}),
        or_label=t("accounts.login.or", lang), username_label=t("accounts.login.username", lang),
        username=username[:64], password_label=t("ui.login.password", lang),
        submit=t("accounts.logout.submit" if logout else "ui.login.submit", lang), csrf=csrf_token() if logout else "",
        login_csrf=login_form_token() if kind == "login" and login_enabled() else "",
        back=t("ui.login.back", lang), home=page_url("/", lang), next=next_path,
        legal=legal_links(current_cockpit().settings, lang, city), legal_label=t("embed.legal.label", lang),
    )
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def finish_login(user: dict, how: str, lang: str) -> flask.Response:
    response = flask.redirect(_safe_next(flask.request.args.get("next"), lang), 303)
    response.headers["Cache-Control"] = "no-store"
    flask.session.pop(_LOGIN_CSRF, None)  # the pre-session token ends with the login (an empty flow cookie is dropped)
    return start_session(response, user, how)


@bp.route("/login", methods=["GET", "POST"])
def login():
    lang = resolve_lang(flask.request.args.get("lang"))
    if not login_enabled():
        return render_page(lang, error=t("ui.login.disabled", lang), status=404)
    if flask.request.method == "GET":
        return render_page(lang)
    if not _same_origin():
        return render_page(lang, error=t("accounts.login.forbidden", lang), status=403)
    if not _login_token_valid():
        return render_page(lang, error=t("hardening.login.expired", lang), status=403)
    form = flask.request.form
    username, password = form.get("username", ""), form.get("password", "")
    if not username and current_cockpit().settings.internal_password:
        username = "admin"  # the bootstrap admin (COCKPIT_INTERNAL_PASSWORD); see docs/accounts.md
    result = accounts().authenticate(username, password, client_address(),
                                     sleep=flask.current_app.extensions[_DELAYS])
    if result.status == "busy":
        response = render_page(lang, error=t("security.login.busy", lang), status=503, username=username)
        response.headers["Retry-After"] = str(max(1, math.ceil(accounts().throttle.delay_max)))
        return response
    if result.status == "throttled":
        response = render_page(lang, error=t("ui.login.throttled", lang), status=429, username=username)
        response.headers["Retry-After"] = str(int(accounts().throttle.window.total_seconds()))
        return response
    if result.status != "ok":
        return render_page(lang, error=t("accounts.login.error", lang), status=401, username=username)
    return finish_login(result.user, "password", lang)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET shows a confirmation form (a link cannot log anybody out); POST with the CSRF token ends the session."""
    lang = resolve_lang(flask.request.args.get("lang"))
    if flask.request.method == "GET":
        if current_role() == Role.PUBLIC:
            return flask.redirect(page_url("/", lang), 303)
        return render_page(lang, kind="logout")
    if not valid_csrf(flask.request.form.get(CSRF_FIELD, "")) or not _same_origin():
        if current_role() == Role.PUBLIC:  # nothing to end; the stale cookie is dropped
            return render_page(lang, kind="logout", error=t("accounts.logout.expired", lang), status=400)
        return render_page(lang, kind="logout", error=t("accounts.bad_request", lang), status=403)
    accounts().end_session(_token(), client_address())
    response = flask.redirect(page_url("/", lang), 303)
    response.headers["Cache-Control"] = "no-store"
    return _drop_cookie(response)


# ------------------------------------------------------------------------------------------------ single sign-on

_NEXT = "sso_next"


def _sso_request():
    """The page's language and the single sign-on client; ends the request with a 404 page when single sign-on
    is off."""
    lang = resolve_lang(flask.request.args.get("lang"))
    client = sso.client()
    if client is None:
        flask.abort(render_page(lang, error=t("accounts.sso.disabled", lang), status=404))
    return lang, client


@bp.route("/login/sso")
def sso_start():
    lang, client = _sso_request()
    flask.session[_NEXT] = _safe_next(flask.request.args.get("next"), lang)
    redirect_uri = flask.url_for("auth.sso_callback", _external=True) + "?" + urlencode({"lang": lang})
    try:
        return client.authorize_redirect(redirect_uri)
    except sso.REFUSED as exc:
        log.warning("single sign-on: identity provider not reachable: %s", exc)
        return render_page(lang, error=t("accounts.sso.failed", lang), status=502)


@bp.route("/login/sso/callback")
def sso_callback():
    lang, client = _sso_request()
    next_path = flask.session.pop(_NEXT, None) or "/"
    try:
        token = client.authorize_access_token()
    except sso.REFUSED as exc:  # a bad state, code or ID token (signature, alg, issuer, audience, nonce, expiry)
        reason = printable(f"{type(exc).__name__}: {exc}")[:200]
        log.warning("single sign-on refused: %s", reason)
        accounts().store.audit("login.failed", None, None, client_address(), "single sign-on: " + reason)
        flask.session.clear()
        return render_page(lang, error=t("accounts.sso.failed", lang), status=400)
    flask.session.clear()  # the flow is over: Flask drops the cookie
    claims = token.get("userinfo") or {}
    settings = current_cockpit().settings
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or not valid_text(subject):  # OIDC Core 2: sub is a string
        accounts().store.audit("login.failed", None, None, client_address(), "single sign-on: sub is not text")
        return render_page(lang, error=t("accounts.sso.failed", lang), status=400)
    role, department = sso.map_claims(settings, claims)
    if role is None:
        accounts().store.audit("login.failed", None, str(claims.get("preferred_username", ""))[:64] or None,
                               client_address(), "single sign-on: no role mapped")
        return render_page(lang, error=t("accounts.sso.no_role", lang), status=403)
    if department is not None and accounts().departments is not None and department not in accounts().departments:
        log.warning("single sign-on: department %r is not in the catalog; map it with COCKPIT_OIDC_DEPARTMENTS",
                    department[:64])
        department = None  # staff without a department: no department-visible indicators
    login_name = claims.get("preferred_username") or claims.get("email") or subject
    try:
        user = accounts().sso_user(f"{settings.oidc_issuer} {subject}"[:255], str(login_name), str(
            claims.get("name") or login_name)[:128], role, department, client_address())
    except AccountError as exc:
        log.warning("single sign-on: %s", exc)
        return render_page(lang, error=t("accounts.sso.no_role", lang), status=403)
    if not user["active"]:
        accounts().store.audit("login.failed", None, user["login"], client_address(), "single sign-on: disabled")
        return render_page(lang, error=t("accounts.sso.no_role", lang), status=403)
    response = flask.redirect(next_path, 303)
    response.headers["Cache-Control"] = "no-store"
    return start_session(response, user, "sso")
