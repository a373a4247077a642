"""The public response cache: a public refresh is rendered once per page, language and data version (also through
Redis, shared by workers); after new data the previous page is served while one background thread renders the
new one, which every viewer gets next; staff responses are never taken from it."""

from __future__ import annotations

import functools
import importlib

from cockpit.sources.base import make_frame
from layouts import cache, ids
from tests.fixtures.redis import redis_url  # noqa: F401 - fixture
from tests.unit.test_app import PASSWORD, callback_request, login, logout, seeded_cockpit, text

overview_callbacks = importlib.import_module("callbacks.overview")


class CountingBuild:
    def __init__(self, real):
        self.real, self.calls = real, 0
        functools.update_wrapper(self, real)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.real(*args, **kwargs)


def make_client(tmp_path, monkeypatch, **settings):
    from layouts.app import create_app

    cockpit = seeded_cockpit(tmp_path, internal_password=PASSWORD, secret_key="test-secret", **settings)
    app = create_app(cockpit)
    counting = CountingBuild(overview_callbacks.build_overview)
    monkeypatch.setattr(overview_callbacks, "build_overview", counting)
    return cockpit, app.server.test_client(), counting


def write_recycling(cockpit, value: float) -> None:
    frame = make_frame([dict(indicator="recycling-rate", district="", period_start="2026-10-01T00:00:00+02:00",
                             period_end=None, value=value, raw="")])
    cockpit.store.write_batch("waste-balance", cockpit.store.start_run("waste-balance"), frame, [], 1)


def check_cached_until_new_data(cockpit, client, counting):
    first = text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert "57,3" in first
    assert text(callback_request(client, ids.OVERVIEW_CONTENT)) == first
    assert text(callback_request(client, ids.OVERVIEW_CONTENT, "?lang=de&kiosk=1")) == first
    assert counting.calls == 1  # rendered once, then served from the cache
    english = text(callback_request(client, ids.OVERVIEW_CONTENT, "?lang=en"))
    assert "57.3" in english and counting.calls == 2  # the language is part of the key
    write_recycling(cockpit, 61.8)
    # new data: this viewer still gets the previous page at once, one background thread renders the new one
    assert text(callback_request(client, ids.OVERVIEW_CONTENT)) == first
    cache.wait_for_refreshes()
    after = text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert "61,8" in after and "57,3" not in after
    assert counting.calls == 3
    assert text(callback_request(client, ids.OVERVIEW_CONTENT)) == after and counting.calls == 3


def test_public_refresh_is_rendered_once_per_language_and_data_version(tmp_path, monkeypatch):
    check_cached_until_new_data(*make_client(tmp_path, monkeypatch))


def test_the_cache_can_live_in_redis(tmp_path, monkeypatch, redis_url):  # noqa: F811
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    cockpit, client, counting = make_client(tmp_path, monkeypatch, cache_url=redis_url)
    check_cached_until_new_data(cockpit, client, counting)
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("cockpit:resp:*")]
    pages = [k for k in keys if not k.startswith("cockpit:resp:http|")]
    assert len(pages) == 2  # one entry per page and language, tagged with its data version
    assert len(keys) > len(pages)  # and whole responses, shared by every worker


def test_staff_responses_are_not_cached(tmp_path, monkeypatch):
    cockpit, client, counting = make_client(tmp_path, monkeypatch)
    login(client)
    internal = text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert ids.tile("municipal-buildings-electricity") in internal
    text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert counting.calls == 2
    assert logout(client).status_code == 303
    public = text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert ids.tile("municipal-buildings-electricity") not in public


def test_an_identical_public_request_is_answered_before_dash(tmp_path, monkeypatch):
    import callbacks._refresh as refresh

    cockpit, client, counting = make_client(tmp_path, monkeypatch)
    calls = []
    real = refresh.public_cached
    monkeypatch.setattr(refresh, "public_cached", lambda *args: calls.append(1) or real(*args))
    first = text(callback_request(client, ids.OVERVIEW_CONTENT))
    second = text(callback_request(client, ids.OVERVIEW_CONTENT))  # from the cache entry: response kept as bytes
    assert len(calls) == 2
    assert [text(callback_request(client, ids.OVERVIEW_CONTENT)) for _ in range(3)] == [first] * 3 == [second] * 3
    assert len(calls) == 2  # answered from the kept response, the callback did not run
    write_recycling(cockpit, 61.8)
    text(callback_request(client, ids.OVERVIEW_CONTENT))  # new data: the kept response is not used
    assert len(calls) == 3
    login(client)
    staff = text(callback_request(client, ids.OVERVIEW_CONTENT))
    assert ids.tile("municipal-buildings-electricity") in staff and len(calls) == 3  # staff: never from it
