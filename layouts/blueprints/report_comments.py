"""The departments' comments on a pending report and its publishing, as native forms (they work without JavaScript
and with every assistive technology): `POST /berichte/<id>/kommentare` (save the draft or submit, staff of an
office asked to comment) and `POST /berichte/<id>/veroeffentlichen` (admins). Both need the session's CSRF token
and a same-origin request; who may do what is decided in `cockpit.reports.review`. Post/Redirect/Get back to the
page with a note; a viewer who may not act gets 404 (the pending report does not exist for them)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import flask

from cockpit.i18n import t
from cockpit.reports import review
from cockpit.reports.listing import PATH
from cockpit.reports.review_view import comments_path
from cockpit.reports.schedule import publish_pending
from cockpit.roles import Role, is_staff
from layouts.auth import CSRF_FIELD, client_address, current_viewer, valid_csrf
from layouts.context import current_cockpit, resolve_lang

bp = flask.Blueprint("report_comments", __name__)


def _checked(lang: str) -> flask.Response | None:
    """None when the request may go on; else the response refusing it."""
    if not is_staff(current_viewer()):
        flask.abort(404)
    origin = flask.request.headers.get("Origin")
    if (origin is not None and urlsplit(origin).netloc != flask.request.host) or not valid_csrf(
            flask.request.form.get(CSRF_FIELD)):
        return flask.Response(t("reports.review.error.request", lang), status=403, mimetype="text/plain")
    return None


def _redirect(path: str, lang: str, **params: str) -> flask.Response:
    response = flask.redirect(f"{path}?{urlencode({'lang': lang, **params})}", 303)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"{PATH}/<int:report_id>/kommentare", methods=["POST"])
def save_comments(report_id: int):
    lang = resolve_lang(flask.request.args.get("lang"))
    refused = _checked(lang)
    if refused is not None:
        return refused
    form = flask.request.form
    texts = {}
    for key, value in form.items(multi=False):
        kind, _, item_id = key.partition(":")
        if kind in ("goal", "measure") and item_id:
            texts[(kind, item_id)] = value
    cockpit, viewer = current_cockpit(), current_viewer()
    try:
        review.save(cockpit, report_id, viewer, texts)
        if form.get("action") == "submit":
            review.submit(cockpit, report_id, viewer, client_address())
            return _redirect(comments_path(report_id), lang, submitted="1")
    except review.ReviewError as exc:
        if exc.status == 404:
            flask.abort(404)
        return _redirect(comments_path(report_id), lang, error=exc.code)
    return _redirect(comments_path(report_id), lang, saved="1")


@bp.route(f"{PATH}/<int:report_id>/veroeffentlichen", methods=["POST"])
def publish(report_id: int):
    lang = resolve_lang(flask.request.args.get("lang"))
    if current_viewer().role != Role.ADMIN:
        flask.abort(404)
    refused = _checked(lang)
    if refused is not None:
        return refused
    try:
        publish_pending(current_cockpit(), report_id, current_viewer(), client_address())
    except review.ReviewError as exc:
        if exc.status == 404:
            flask.abort(404)
        return _redirect(comments_path(report_id), lang, error=exc.code)
    return _redirect(PATH, lang, published=str(report_id))
