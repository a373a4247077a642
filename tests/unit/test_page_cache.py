"""Page opens (the Dash Pages routing callback) from the page cache: rendered once per viewer class, path and query
and data version; the first open after new data shows the new data; staff pages are shared by a class but carry
each session's own login name and CSRF token; a public page never shows what staff see."""

from __future__ import annotations

import gzip
import importlib
import re

from bench.pages import router_body
from cockpit.sources.base import make_frame
from layouts import ids
from layouts.page_cache import VERSION_HEADER
from tests.fixtures.redis import redis_url  # noqa: F401 - fixture
from tests.unit.test_app import PASSWORD, login, logout, router_request, seeded_cockpit, text
from tests.unit.test_response_cache import CountingBuild, write_recycling

INTERNAL_NAME = "Stromverbrauch kommunaler Gebäude"  # municipal-buildings-electricity: visibility internal




def make_client(tmp_path, monkeypatch, **settings):
    from layouts.app import create_app

    cockpit = seeded_cockpit(tmp_path, internal_password=PASSWORD, secret_key="test-secret", **settings)
    app = create_app(cockpit)
    overview_page = importlib.import_module("layouts.pages.overview")  # imported by create_app (Dash Pages)
    counting = CountingBuild(overview_page.build_overview)
    monkeypatch.setattr(overview_page, "build_overview", counting)
    return cockpit, app, counting




def check_page_opens(cockpit, client, counting):
    first = router_request(client)
    assert "57,3" in text(first) and counting.calls == 1
    assert first.headers[VERSION_HEADER] == str(cockpit.store.data_version())
    assert [text(router_request(client)) for _ in range(3)] == [text(first)] * 3
    assert counting.calls == 1  # rendered once, then answered from the kept page
    assert "57.3" in text(router_request(client, "/", "?lang=en")) and counting.calls == 2  # the query is the key
    write_recycling(cockpit, 61.8)
    fresh = router_request(client)  # the first open after new data renders the new page, not the previous one
    assert "61,8" in text(fresh) and "57,3" not in text(fresh) and counting.calls == 3
    assert fresh.headers[VERSION_HEADER] == str(cockpit.store.data_version())
    assert text(router_request(client)) == text(fresh) and counting.calls == 3
    packed = client.post("/_dash-update-component", data=router_body("/", "?lang=de"), content_type="application/json",
                         headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and counting.calls == 3
    assert gzip.decompress(packed.get_data()) == fresh.get_data()


def test_a_public_page_open_is_rendered_once_per_query_and_data_version(tmp_path, monkeypatch):
    cockpit, app, counting = make_client(tmp_path, monkeypatch)
    check_page_opens(cockpit, app.server.test_client(), counting)


def test_the_kept_pages_can_live_in_redis(tmp_path, monkeypatch, redis_url):  # noqa: F811
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    cockpit, app, counting = make_client(tmp_path, monkeypatch, cache_url=redis_url)
    check_page_opens(cockpit, app.server.test_client(), counting)
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("cockpit:resp:page|public|*")]
    assert len(keys) == 2  # / in German and in English, shared by every worker


def csrf(page: str) -> str:
    return re.search(r'"value": "(\w+)", "type": "hidden", "name": "csrf_token"', page).group(1)


def test_staff_pages_are_kept_per_class_and_never_shown_to_the_public(tmp_path, monkeypatch):
    cockpit, app, counting = make_client(tmp_path, monkeypatch)
    first, second = app.server.test_client(), app.server.test_client()
    assert INTERNAL_NAME not in text(router_request(first))  # a public page kept before any staff request
    login(first)
    login(second)
    staff_one, staff_two = text(router_request(first)), text(router_request(second))
    assert INTERNAL_NAME in staff_one and INTERNAL_NAME in staff_two
    assert counting.calls == 2  # public once, staff once: the second session got the kept staff page
    assert csrf(staff_one) != csrf(staff_two)  # ... with its own CSRF token in it
    assert "cockpit-user" not in staff_two and "cockpit-csrf" not in staff_two
    assert logout(second).status_code == 303  # the token works
    for client in (second, app.server.test_client()):  # logged out, and a visitor without a cookie
        public = text(router_request(client))
        assert INTERNAL_NAME not in public and ids.tile("municipal-buildings-electricity") not in public
        assert "/logout" not in public
    assert INTERNAL_NAME in text(router_request(first))  # the other session is still staff


def spark_table_request(client, indicator_id: str, search: str = "?lang=de"):
    """The request the browser sends when a tile's "Daten als Tabelle" is first opened."""
    import json

    dep = next(d for d in client.get("/_dash-dependencies").get_json() if ids.SPARK_ROWS in d["output"])
    rows, details = ids.spark_rows(indicator_id), ids.spark_table(indicator_id)
    body = {"output": dep["output"], "outputs": {"id": rows, "property": "children"},
            "inputs": [{"id": details, "property": "n_clicks", "value": 1}],
            "state": [{"id": ids.URL, "property": "search", "value": search},
                      {"id": rows, "property": "children", "value": None}],
            "changedPropIds": [json.dumps(details, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def test_a_tiles_table_is_built_when_it_is_opened_and_only_for_who_may_see_it(tmp_path, monkeypatch):
    cockpit, app, counting = make_client(tmp_path, monkeypatch)
    client = app.server.test_client()
    page = text(router_request(client))
    assert "Daten als Tabelle" in page and "57,3" in page and '"Tbody"' not in page  # no table rows in the page
    table = text(spark_table_request(client, "recycling-rate"))
    assert '"Tbody"' in table and "57,3" in table and '"scope": "row"' in table
    internal = make_frame([dict(indicator="municipal-buildings-electricity", district="", period_start=start,
                                period_end=None, value=40.0 + i, raw="")
                           for i, start in enumerate(("2026-08-10T00:00:00+02:00", "2026-09-10T00:00:00+02:00",
                                                      "2026-10-10T00:00:00+02:00"))])
    cockpit.store.write_batch("waste-balance", cockpit.store.start_run("waste-balance"), internal, [], 3)
    assert spark_table_request(client, "municipal-buildings-electricity").status_code == 204  # internal: nothing
    login(client)
    assert "42" in text(spark_table_request(client, "municipal-buildings-electricity"))
    assert spark_table_request(client, "no-such-indicator").status_code == 204


def test_pages_that_change_without_new_data_are_never_kept(tmp_path, monkeypatch):
    """Source runs on /status, the reports list and an office's comments on a pending report change without a new
    data version: a kept page would show a saved comment or a new report only after the next ingest."""
    cockpit, app, _counting = make_client(tmp_path, monkeypatch)
    client = app.server.test_client()
    login(client)
    for path in ("/status", "/berichte", "/berichte/", "/berichte/1/kommentare"):
        assert VERSION_HEADER not in router_request(client, path).headers, path
    assert VERSION_HEADER in router_request(client, "/goals").headers  # a page of the data is kept
