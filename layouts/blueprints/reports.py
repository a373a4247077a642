"""Archived council reports over HTTP: `/berichte/<id>.pdf` and `.xlsx` (stable URLs, e.g. for an OParl `File`
in the council information system), `/api/v1/reports` (JSON list of the published public reports), and
`POST /berichte/erstellen` for admins (with the session's CSRF token) to generate and archive a report.

The public gets published public reports only (filtered in the store's SQL); an internal report is served to
staff sessions only, everybody else gets 404 (the report does not exist for them)."""

from __future__ import annotations

import hmac
from dataclasses import asdict
from urllib.parse import urlencode

import flask

from cockpit.i18n import t
from cockpit.reports import AUDIENCES, parse_period
from cockpit.reports.archive import generate_archived
from cockpit.reports.listing import PATH, build_reports_list
from cockpit.reports.review import Plan
from cockpit.reports.review_view import comments_path
from cockpit.roles import Role
from layouts.auth import CSRF_FIELD, csrf_token, current_viewer
from layouts.blueprints import _public
from layouts.context import current_cockpit, resolve_lang

bp = flask.Blueprint("reports", __name__)
CREATE_PATH = f"{PATH}/erstellen"
API_PATH = "/api/v1/reports"
REMIND_DAYS = 3  # a report made on the web with a comment deadline: the reminder this many days before it
MEDIA = {"pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _file(report_id: int, kind: str) -> flask.Response:
    viewer = current_viewer()
    found = current_cockpit().store.archived_report_file(viewer, report_id, kind)
    if found is None:
        flask.abort(404)
    report, data = found
    response = flask.make_response(data)
    response.headers["Content-Type"] = MEDIA[kind]
    name = f"bericht-{report.period}-{report.audience}-{report.lang}-{report.id}.{kind}"
    response.headers["Content-Disposition"] = f'{"inline" if kind == "pdf" else "attachment"}; filename="{name}"'
    response.headers["ETag"] = f'"{report.pdf_sha256 if kind == "pdf" else report.xlsx_sha256}"'
    public = report.audience == "public"
    response.headers["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


@bp.route(f"{PATH}/<int:report_id>.pdf")
def report_pdf(report_id: int):
    return _file(report_id, "pdf")


@bp.route(f"{PATH}/<int:report_id>.xlsx")
def report_xlsx(report_id: int):
    return _file(report_id, "xlsx")


@bp.route(API_PATH)
def reports_api():
    """The published public reports (the API is public: no session is read on /api/)."""
    _public.public_only()
    lang = resolve_lang(flask.request.args.get("lang"))
    view = build_reports_list(current_cockpit(), Role.PUBLIC, lang)
    base = _public.base_url()
    data = []
    for row in view.rows:
        item = asdict(row)
        item["pdf_url"] = base + row.pdf_path
        item["xlsx_url"] = base + row.xlsx_path
        data.append(item)
    response = flask.jsonify({"data": data, "meta": {"total": len(data)}})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.route(CREATE_PATH, methods=["POST"])
def create_report():
    """An admin generates and archives a report; back to /berichte with the outcome in the query."""
    if current_viewer().role != Role.ADMIN:
        flask.abort(404)
    form = flask.request.form
    lang = resolve_lang(flask.request.args.get("lang"))
    given, expected = form.get(CSRF_FIELD, ""), csrf_token()
    origin = flask.request.headers.get("Origin")
    if not expected or not hmac.compare_digest(given, expected) or (
            origin is not None and origin.split("://", 1)[-1] != flask.request.host):
        return _back(lang, 403, error="request")
    audience, report_lang = form.get("audience", ""), form.get("report_lang", "")
    if audience not in AUDIENCES or report_lang not in ("de", "en"):
        return _back(lang, 400, error="request")
    try:
        period = parse_period(form.get("period", ""))
    except ValueError:
        return _back(lang, 400, error="period")
    days = form.get("comments_days", "").strip()
    if days and not (days.isdigit() and 1 <= int(days) <= 365):
        return _back(lang, 400, error="request")
    plan = Plan(int(days), REMIND_DAYS) if days else None  # the offices comment first; an admin publishes
    archived = generate_archived(current_cockpit(), period, audience, report_lang,
                                 created_by=current_viewer().user or "", plan=plan)
    if archived.created and plan is not None:
        return flask.redirect(f"{comments_path(archived.id)}?{urlencode({'lang': lang})}", code=303)
    return _back(lang, created=str(archived.id), kept="" if archived.created else "1")


def _back(lang: str, status: int = 303, error: str = "", **params: str) -> flask.Response:
    if error:  # a 4xx naming what was wrong (only admins get here)
        return flask.Response(t(f"reports.admin.bad_{error}", lang), status, mimetype="text/plain")
    query = urlencode({"lang": lang, **{k: v for k, v in params.items() if v}})
    return flask.redirect(f"{PATH}?{query}", code=303)
