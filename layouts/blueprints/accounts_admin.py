"""`/admin/accounts`: admins list the accounts, disable or enable them, end their sessions, and read the audit log.

Only for admin sessions; everybody else gets 404 (the page does not exist for them). Changes are POSTs with the
session's CSRF token and end up in the audit log. New accounts and passwords: `python run.py user ...`.

The audit log is filterable (action, account, address: a GET form) and paged (`page`, PAGE_SIZE entries). Failed
logins, which anyone can cause without an account, are summarised per account name and address for the last
FAILURE_DAYS days above the log, and listed one by one only when the filter asks for them, so a flood of them never
pushes real entries off the page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import flask

from cockpit.accounts import AccountError
from cockpit.i18n import DISPLAY_TZ, format_datetime, format_number, t
from cockpit.roles import Role
from layouts.auth import (
    CSRF_FIELD,
    STAFF_PAGE_TOP,
    accounts,
    client_address,
    csrf_token,
    current_viewer,
    valid_csrf,
)
from layouts.context import current_cockpit, page_url, resolve_lang

bp = flask.Blueprint("accounts_admin", __name__)
PATH = "/admin/accounts"
ACTIONS = ("disable", "enable", "revoke")
PAGE_SIZE = 50
FAILURE_DAYS = 7
MAX_PAGE = 10_000

_PAGE = STAFF_PAGE_TOP + """  {% macro scrolling_table(caption, headers) %}
    <div class="table-scroll" tabindex="0" role="region" aria-label="{{ caption }}">
    <table class="accounts-admin__table">
      <caption>{{ caption }}</caption>
      <thead><tr>{% for h in headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
      <tbody>{{ caller() }}</tbody>
    </table>
    </div>
  {% endmacro %}
  <main id="main" class="accounts-admin">
    <h1>{{ title }}</h1>
    <p>{{ intro }}</p>
    {% if message %}<p class="accounts-admin__message" role="status">{{ message }}</p>{% endif %}
    {% call scrolling_table(users_caption, user_headers) %}
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
    {% endcall %}
    <section class="accounts-admin__failures" aria-labelledby="failures-heading">
      <h2 id="failures-heading">{{ failures_heading }}</h2>
      <p>{{ failures_text }}</p>
      {% if failures %}
      {% call scrolling_table(failures_caption, failure_headers) %}
        {% for f in failures %}
          <tr><td class="accounts-admin__tried">{{ f.target }}</td><td>{{ f.address }}</td><td class="num">{{ f.count }}</td>
              <td>{{ f.last }}</td></tr>
        {% endfor %}
      {% endcall %}
      {% endif %}
    </section>
    <link rel="stylesheet" href="/assets/audit.css">
    <h2 id="audit-heading" class="accounts-admin__log">{{ audit_heading }}</h2>
    <form method="get" action="{{ path }}" class="accounts-admin__filter" aria-labelledby="audit-heading">
      <input type="hidden" name="lang" value="{{ lang }}">
      <div class="accounts-admin__filter-field"><label for="audit-action">{{ filter_action }}</label>
      <select id="audit-action" name="action">
        <option value=""{% if not filter.action %} selected{% endif %}>{{ filter_all }}</option>
        {% for a in action_options %}<option value="{{ a }}"{% if a == filter.action %} selected{% endif %}>{{ a }}</option>{% endfor %}
      </select></div>
      <div class="accounts-admin__filter-field"><label for="audit-account">{{ filter_account }}</label>
      <input id="audit-account" name="account" type="text" maxlength="64" value="{{ filter.account }}"></div>
      <div class="accounts-admin__filter-field"><label for="audit-address">{{ filter_address }}</label>
      <input id="audit-address" name="address" type="text" maxlength="64" value="{{ filter.address }}"></div>
      <button type="submit">{{ filter_submit }}</button>
    </form>
    <p class="accounts-admin__count">{{ audit_count }}</p>
    {% call scrolling_table(audit_caption, audit_headers) %}
      {% for e in audit %}
        <tr><td>{{ e.at }}</td><td>{{ e.action }}</td><td>{{ e.actor }}</td><td>{{ e.target }}</td>
            <td>{{ e.address }}</td><td>{{ e.detail }}</td></tr>
      {% endfor %}
    {% endcall %}
    {% if newer or older %}<nav class="accounts-admin__pages" aria-label="{{ pages_label }}"><ul>
      {% if newer %}<li><a href="{{ newer }}" rel="prev">{{ newer_label }}</a></li>{% endif %}
      {% if older %}<li><a href="{{ older }}" rel="next">{{ older_label }}</a></li>{% endif %}
    </ul></nav>{% endif %}
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
    store = accounts().store
    args = flask.request.args
    actions = store.audit_actions()
    filters = {"action": args.get("action", "") if args.get("action", "") in actions else "",
               "account": args.get("account", "").strip()[:64], "address": args.get("address", "").strip()[:64]}
    page = _page_number(args.get("page"))
    entries, total = store.audit_page((page - 1) * PAGE_SIZE, PAGE_SIZE, filters["action"] or None,
                                      filters["account"] or None, filters["address"] or None)
    audit = [{"at": format_datetime(e["at"].astimezone(DISPLAY_TZ), lang), "action": e["action"],
              "actor": e["actor"] or "–", "target": e["target"] or "–", "address": e["address"] or "–",
              "detail": e["detail"] or ""} for e in entries]
    failures, failed = store.failed_logins(datetime.now(UTC) - timedelta(days=FAILURE_DAYS), filters["account"] or None,
                                           filters["address"] or None)
    summary = [{"target": f["target"] or "–", "address": f["address"] or "–", "count": format_number(f["count"], 0, lang),
                "last": format_datetime(f["last"].astimezone(DISPLAY_TZ), lang)} for f in failures]
    pages = max(1, -(-total // PAGE_SIZE))

    def link(number: int) -> str:
        return PATH + "?" + urlencode({"lang": lang, **{k: v for k, v in filters.items() if v}, "page": number})

    extra = dict(
        path=PATH, filter=filters, audit_heading=t("hardening.audit.heading", lang), action_options=actions, failures=summary,
        failures_heading=t("hardening.audit.failures", lang),
        failures_text=t("hardening.audit.failures.text.one", lang, days=FAILURE_DAYS) if failed == 1 else t(
            "hardening.audit.failures.text", lang, count=format_number(failed, 0, lang), days=FAILURE_DAYS),
        failures_caption=t("hardening.audit.failures.caption", lang, days=FAILURE_DAYS),
        failure_headers=[t(f"hardening.audit.col.{c}", lang) for c in ("account", "address", "count", "last")],
        filter_action=t("accounts.admin.col.action", lang), filter_all=t("hardening.audit.filter.all", lang),
        filter_account=t("hardening.audit.filter.account", lang),
        filter_address=t("hardening.audit.filter.address", lang), filter_submit=t("hardening.audit.filter.submit", lang),
        audit_count=t("hardening.audit.count", lang, page=format_number(min(page, pages), 0, lang),
                      pages=format_number(pages, 0, lang), count=format_number(total, 0, lang)),
        pages_label=t("hardening.audit.pages", lang),
        newer=link(page - 1) if page > 1 else None, older=link(page + 1) if page < pages else None,
        newer_label=t("hardening.audit.newer", lang), older_label=t("hardening.audit.older", lang))
    # one summary of failed logins (the section above the audit log, per name and address); a second table per
    # name over another period said the same twice
    html = flask.render_template_string(
        _PAGE, lang=lang, title=t("accounts.admin.title", lang), intro=t("accounts.admin.intro", lang),
        brand=t("ui.brand", lang), tagline=t("ui.brand.tagline", lang, city=city), home=page_url("/", lang),
        back=t("ui.login.back", lang), message=message, csrf=csrf_token(), users=users, audit=audit,
        users_caption=t("accounts.admin.users", lang), audit_caption=t("hardening.audit.caption", lang, page=format_number(min(page, pages), 0, lang),
                                                       pages=format_number(pages, 0, lang)),
        user_headers=[t(f"accounts.admin.col.{c}", lang) for c in
                      ("login", "name", "role", "department", "active", "signin", "actions")],
        audit_headers=[t(f"accounts.admin.col.{c}", lang) for c in
                       ("at", "action", "actor", "target", "address", "detail")], **extra,
    )
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _page_number(value: str | None) -> int:
    """`?page=` as a number from 1 to MAX_PAGE; anything else is the first page."""
    return int(value) if value and value.isdigit() and 1 <= int(value) <= MAX_PAGE else 1


@bp.route(PATH, methods=["GET", "POST"])
def accounts_page():
    if current_viewer().role != Role.ADMIN:
        flask.abort(404)
    lang = resolve_lang(flask.request.args.get("lang"))
    if flask.request.method == "GET":
        return _page(lang)
    form = flask.request.form
    origin = flask.request.headers.get("Origin")
    if not valid_csrf(form.get(CSRF_FIELD, "")) or (
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
