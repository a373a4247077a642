"""`/admin/accounts`: admins list the accounts, disable or enable them, end their sessions, and read the audit log.

Only for admin sessions; everybody else gets 404 (the page does not exist for them). Changes are POSTs with the
session's CSRF token and end up in the audit log. New accounts and passwords: `python run.py user ...`.
"""

from __future__ import annotations

import hmac

import flask

from cockpit.accounts import AccountError
from cockpit.i18n import DISPLAY_TZ, format_datetime, format_number, t
from cockpit.roles import Role
from layouts.auth import CSRF_FIELD, STAFF_PAGE_TOP, accounts, client_address, csrf_token, current_viewer
from layouts.context import current_cockpit, page_url, resolve_lang

bp = flask.Blueprint("accounts_admin", __name__)
PATH = "/admin/accounts"
ACTIONS = ("disable", "enable", "revoke")

_PAGE = STAFF_PAGE_TOP + """  <main id="main" class="accounts-admin">
    <h1>{{ title }}</h1>
    <p>{{ intro }}</p>
    {% if message %}<p class="accounts-admin__message" role="status">{{ message }}</p>{% endif %}
    <div class="table-scroll" tabindex="0" role="region" aria-label="{{ users_caption }}">
    <table class="accounts-admin__table">
      <caption>{{ users_caption }}</caption>
      <thead><tr>{% for h in user_headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
      <tbody>
      {% for u in users %}
        <tr>
          <th scope="row">{{ u.login }}</th><td>{{ u.display_name }}</td><td>{{ u.role }}</td>
          <td>{{ u.department }}</td><td>{{ u.active }}</td><td>{{ u.signin }}</td>
          <td>{% for action, label in u.actions %}
            <form method="post" class="accounts-admin__form">
              <input type="hidden" name="csrf_token" value="{{ csrf }}">
              <input type="hidden" name="login" value="{{ u.login }}">
              <button type="submit" name="action" value="{{ action }}">{{ label }}<span class="accounts-admin__hidden">: {{ u.login }}</span></button>
            </form>{% endfor %}</td>
        </tr>
      {% endfor %}
      </tbody>
    </table>
    </div>
    <div class="table-scroll" role="region" aria-label="{{ attacked_caption }}" tabindex="0">
    <table class="accounts-admin__table" id="login-attacks">
      <caption>{{ attacked_caption }}</caption>
      <thead><tr>{% for h in attacked_headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
      <tbody>
      {% for a in attacked %}
        <tr><th scope="row">{{ a.login }}</th><td>{{ a.failed }}</td><td>{{ a.throttled }}</td>
            <td>{{ a.addresses }}</td><td>{{ a.last }}</td><td>{{ a.delay }}</td></tr>
      {% else %}
        <tr><td colspan="6">{{ attacked_none }}</td></tr>
      {% endfor %}
      </tbody>
    </table>
    </div>
    <div class="table-scroll" tabindex="0" role="region" aria-label="{{ audit_caption }}">
    <table class="accounts-admin__table">
      <caption>{{ audit_caption }}</caption>
      <thead><tr>{% for h in audit_headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
      <tbody>
      {% for e in audit %}
        <tr><td>{{ e.at }}</td><td>{{ e.action }}</td><td>{{ e.actor }}</td><td>{{ e.target }}</td>
            <td>{{ e.address }}</td><td>{{ e.detail }}</td></tr>
      {% endfor %}
      </tbody>
    </table>
    </div>
    <p><a href="{{ home }}">{{ back }}</a></p>
  </main>
</body>
</html>"""


def _page(lang: str, message: str | None = None, status: int = 200) -> flask.Response:
    city = current_cockpit().catalog.city.get(lang)
    me = current_viewer().user
    users = []
    for u in accounts().users():
        actions = [("disable" if u["active"] else "enable", t(f"accounts.admin.{'disable' if u['active'] else 'enable'}",
                                                              lang)),
                   ("revoke", t("accounts.admin.revoke", lang))]
        if u["login"] == me:
            actions = []  # no locking oneself out from here
        users.append({
            "login": u["login"], "display_name": u["display_name"], "role": u["role"],
            "department": u["department"] or "–",
            "active": t("accounts.admin.yes" if u["active"] else "accounts.admin.no", lang),
            "signin": "Single Sign-on" if u["oidc_subject"] else t("ui.login.password", lang), "actions": actions,
        })
    audit = [{"at": format_datetime(e["at"].astimezone(DISPLAY_TZ), lang), "action": e["action"],
              "actor": e["actor"] or "–", "target": e["target"] or "–", "address": e["address"] or "–",
              "detail": e["detail"] or ""} for e in accounts().store.audit_entries(50)]
    attacked = [{"login": a["login"], "failed": a["failed"], "throttled": a["throttled"],
                 "addresses": a["addresses"], "last": format_datetime(a["last"].astimezone(DISPLAY_TZ), lang),
                 "delay": t("security.attacks.delay", lang, seconds=format_number(a["delay"], 1, lang))}
                for a in accounts().attacked()]
    html = flask.render_template_string(
        _PAGE, attacked=attacked, attacked_caption=t("security.attacks.caption", lang),
        attacked_none=t("security.attacks.none", lang),
        attacked_headers=[t(f"security.attacks.col.{c}", lang) for c in
                          ("login", "failed", "throttled", "addresses", "last", "delay")], lang=lang, title=t("accounts.admin.title", lang), intro=t("accounts.admin.intro", lang),
        brand=t("ui.brand", lang), tagline=t("ui.brand.tagline", lang, city=city), home=page_url("/", lang),
        back=t("ui.login.back", lang), message=message, csrf=csrf_token(), users=users, audit=audit,
        users_caption=t("accounts.admin.users", lang), audit_caption=t("accounts.admin.audit", lang),
        user_headers=[t(f"accounts.admin.col.{c}", lang) for c in
                      ("login", "name", "role", "department", "active", "signin", "actions")],
        audit_headers=[t(f"accounts.admin.col.{c}", lang) for c in
                       ("at", "action", "actor", "target", "address", "detail")],
    )
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route(PATH, methods=["GET", "POST"])
def accounts_page():
    if current_viewer().role != Role.ADMIN:
        flask.abort(404)
    lang = resolve_lang(flask.request.args.get("lang"))
    if flask.request.method == "GET":
        return _page(lang)
    form = flask.request.form
    given, expected = form.get(CSRF_FIELD, ""), csrf_token()
    origin = flask.request.headers.get("Origin")
    if not expected or not hmac.compare_digest(given, expected) or (
            origin is not None and origin.split("://", 1)[-1] != flask.request.host):
        return _page(lang, t("accounts.bad_request", lang), 403)
    action, login = form.get("action"), form.get("login", "")
    if action not in ACTIONS or login == current_viewer().user:
        return _page(lang, t("accounts.bad_request", lang), 400)
    me = current_viewer().user
    try:
        if action == "revoke":
            accounts().revoke(login, actor=me, address=client_address())
        else:
            accounts().set_active(login, action == "enable", actor=me, address=client_address())
    except AccountError:
        return _page(lang, t("accounts.bad_request", lang), 400)
    return _page(lang, t(f"accounts.admin.done.{action}", lang, login=login))
