"""GET /health: what a load balancer (and monitoring) asks each web worker (docs/operations.md).

200 with {"status": "ok", ...} when this worker reaches its primary database; 503 with {"status": "error"} when it
does not (take the worker out of the pool). With a read replica (COCKPIT_DATABASE_READ_URL) the answer also names
the replica's state, its data version, how many versions it is behind and its replay lag; a replica that is
behind or unreachable does not fail the check, because reads then go to the primary: the status is "degraded".
Nothing here is secret or per viewer: no session, no cookie, never cached.
"""

from __future__ import annotations

import logging

import flask

from layouts.context import current_cockpit

log = logging.getLogger(__name__)

bp = flask.Blueprint("health", __name__)


@bp.route("/health")
def health():
    store = current_cockpit().store
    try:
        version = store.data_version()
        replica = store.replica_status()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is "not healthy"
        log.warning("health check: database unreachable: %s", str(exc).splitlines()[0][:200] if str(exc) else exc)
        return _json({"status": "error", "database": "unreachable"}, 503)
    status = "ok" if replica.get("state", "ok") == "ok" else "degraded"
    return _json({"status": status, "database": "ok", "data_version": version, "replica": replica}, 200)


def _json(body: dict, status: int) -> flask.Response:
    response = flask.jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
