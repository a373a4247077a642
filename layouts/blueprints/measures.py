"""POST /measure/<id>/report: the progress report form of the measure page (a native form, so it works without
JavaScript and with every assistive technology). The viewer is resolved on the server; `can_report` decides.

Success and input errors redirect back to the measure page (303, Post/Redirect/Get) with a note for the form;
a viewer who may not report gets 403; posts from other sites or without the session's CSRF token (a hidden field
of the form) are refused (403)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import flask

from cockpit.i18n import t
from cockpit.measures.reporting import ReportRejected, submit_report
from cockpit.roles import Role
from layouts.auth import CSRF_FIELD, current_viewer, valid_csrf
from layouts.context import current_cockpit, kiosk_from, resolve_lang

bp = flask.Blueprint("measures", __name__)


def _same_origin() -> bool:
    origin = flask.request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == flask.request.host


@bp.route("/measure/<measure_id>/report", methods=["POST"])
def report(measure_id: str):
    lang = resolve_lang(flask.request.args.get("lang"))
    if not _same_origin():
        flask.abort(403)
    form = flask.request.form
    if current_viewer().role != Role.PUBLIC and not valid_csrf(form.get(CSRF_FIELD)):
        return flask.Response(t("hardening.report.expired", lang), status=403, mimetype="text/plain")
    params = {"lang": lang, **({"kiosk": "1"} if kiosk_from(flask.request.args.get("kiosk")) else {})}
    try:
        submit_report(current_cockpit().store, current_viewer(), measure_id, form.get("status"),
                      form.get("percent"), form.get("milestone"), form.get("text"), lang)
    except ReportRejected as exc:
        if exc.code == "forbidden":
            return flask.Response(str(exc), status=403, mimetype="text/plain")
        params["report_error"] = exc.code
    else:
        params["saved"] = "1"
    response = flask.redirect(f"/measure/{measure_id}?{urlencode(params)}#measure-report-form", 303)
    response.headers["Cache-Control"] = "no-store"
    return response
