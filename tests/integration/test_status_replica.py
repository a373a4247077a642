"""The read replica on the operations page /status (issue 24, items 5 and 6): staff see whether visitors' reads go
to the replica, its replay lag and how many data versions it is behind, as icon and word in German and English;
a replica whose replay is paused shows as behind with the reads on the primary; the public sees nothing of it.
A store without a replica (SQLite) says that none is configured."""

from __future__ import annotations

import pytest

from cockpit.config import load_settings
from cockpit.roles import Viewer
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache
from cockpit.views.status import build_status
from tests.fixtures.forms import session_csrf
from tests.fixtures.replica import replicated_server, replicated_urls, set_replay  # noqa: F401
from tests.integration.test_read_replica import MEASURE, REPORT, app, login, page, replicated  # noqa: F401

STAFF = Viewer("staff-gvb", "staff", "gvb")


@pytest.mark.postgres
def test_staff_see_the_replica_up_to_date_then_behind_with_reads_on_the_primary(replicated, app):  # noqa: F811
    cockpit, _primary, replica = replicated
    staff, public = app.test_client(), app.test_client()
    login(staff)

    shown = page(staff, "/status")
    assert "Lesereplikat der Datenbank" in shown and "status--achieved" in shown and "aktuell" in shown
    assert "Besucherinnen und Besuchern gehen an das Replikat" in shown
    assert "Datenstände im Rückstand" in shown and "Verzögerung der Wiedergabe" in shown
    view = build_status(cockpit, STAFF, "en").replica
    assert (view.state, view.icon, view.state_text) == ("ok", "achieved", "up to date")
    assert dict(view.facts)["Data versions behind"] == "0"

    set_replay(replica, paused=True)
    response = staff.post(f"/measure/{MEASURE}/report?lang=de", data={**REPORT, "csrf_token": session_csrf(staff)})
    assert response.status_code == 303  # a write the paused replica does not apply
    shown = page(staff, "/status")
    assert "im Rückstand" in shown and "status--at_risk" in shown
    assert "gehen zurzeit an die Hauptdatenbank" in shown
    view = build_status(cockpit, STAFF, "en").replica
    assert view.state == "behind" and view.state_text == "behind"
    assert int(dict(view.facts)["Data versions behind"]) >= 1
    assert "until the replica has caught up" in view.reads_text

    anonymous = page(public, "/status")
    assert "Lesereplikat" not in anonymous and "Datenstände" not in anonymous


def test_without_a_replica_the_status_page_says_none_is_configured(tmp_path):
    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", load_demo=False))
    try:
        for lang, word, reads in (("de", "nicht eingerichtet", "Alle Lesezugriffe gehen an die Hauptdatenbank"),
                                  ("en", "not configured", "All reads go to the primary database")):
            view = build_status(cockpit, STAFF, lang).replica
            assert (view.state, view.icon, view.state_text, view.facts) == ("off", "no_data", word, ())
            assert view.reads_text.startswith(reads)
    finally:
        cockpit.store.engine.dispose()
        clear_cache()
