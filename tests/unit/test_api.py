"""The open-data API with Flask's test client: public indicators only, observations as JSON and CSV (German and
English conventions), paging, goals with their evaluation, clear 400s, caching, and the shared rate limit."""

from __future__ import annotations

import io
import time
from contextlib import contextmanager

import pandas as pd
import pytest
from sqlalchemy import select

from cockpit.config import load_settings
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.store.schema import rate_limits
from tests.conftest import migrated_store
from tests.fixtures.redis import redis_url  # noqa: F401 - fixture
from tests.unit.opendata_support import INTERNAL, INTERNAL_GOAL, ROWS, login, seeded_cockpit, write


@pytest.fixture
def cockpit(tmp_path):
    return seeded_cockpit(tmp_path)


@pytest.fixture
def client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()


def ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_indicators_list_public_indicators_with_their_metadata(client, cockpit):
    body = ok(client.get("/api/v1/indicators"))
    ids = [item["id"] for item in body["data"]]
    assert ids == [i.id for i in cockpit.catalog.indicators if i.visibility == "public"]
    assert not set(INTERNAL) & set(ids)
    recycling = next(item for item in body["data"] if item["id"] == "recycling-rate")
    assert recycling["unit"] == {"de": "%", "en": "%"}
    assert recycling["rhythm"] == "P1M" and recycling["aggregation"] == "mean"
    assert recycling["source"]["licence"].startswith("Datenlizenz Deutschland")
    assert recycling["goals"] == ["recycling-rate-eu"]
    assert recycling["first_period_start"] == "2022-12-31T23:00:00Z"  # local year 2023 starts here (UTC)
    assert recycling["last_period_start"] == "2026-09-30T22:00:00Z"
    assert recycling["links"]["csv"].endswith("/api/v1/indicators/recycling-rate/observations?format=csv")
    assert body["meta"] == {"page": 1, "per_page": 1000, "total": len(ids), "pages": 1}


def test_indicator_list_pages(client):
    first = ok(client.get("/api/v1/indicators?per_page=4"))
    second = ok(client.get("/api/v1/indicators?per_page=4&page=2"))
    assert len(first["data"]) == 4 and first["meta"]["pages"] >= 3
    assert first["links"]["prev"] is None and "page=2" in first["links"]["next"]
    assert {i["id"] for i in first["data"]}.isdisjoint(i["id"] for i in second["data"])
    assert 'rel="next"' in client.get("/api/v1/indicators?per_page=4").headers["Link"]


def test_raw_observations_in_utc_oldest_first_and_filtered_by_time(client):
    body = ok(client.get("/api/v1/indicators/recycling-rate/observations"))
    assert [r["period_start"] for r in body["data"]] == [
        "2023-09-30T22:00:00Z", "2024-09-30T22:00:00Z", "2025-02-28T23:00:00Z", "2025-09-30T22:00:00Z",
        "2026-09-30T22:00:00Z"]
    assert body["data"][-1] == {"indicator": "recycling-rate", "district": "", "period_start": "2026-09-30T22:00:00Z",
                                "period_end": None, "value": 57.3}
    assert body["unit"] == {"de": "%", "en": "%"} and body["attribution"]
    since = ok(client.get("/api/v1/indicators/recycling-rate/observations?from=2025-01-01&to=2025-12-31"))
    assert [r["value"] for r in since["data"]] == [54.0, 1234.5]
    ancient = ok(client.get("/api/v1/indicators/recycling-rate/observations?from=0001-01-01&to=9999-12-31T23:59Z"))
    assert len(ancient["data"]) == 5
    exact = ok(client.get("/api/v1/indicators/recycling-rate/observations?from=2025-09-30T22:00:00Z"))
    assert [r["value"] for r in exact["data"]] == [1234.5, 57.3]


def test_raw_observations_page_through_everything_once(client):
    seen, page = [], 1
    while True:
        body = ok(client.get(f"/api/v1/indicators/recycling-rate/observations?per_page=2&page={page}"))
        seen += [r["value"] for r in body["data"]]
        assert body["meta"]["total"] == 5 and body["meta"]["pages"] == 3
        if body["links"]["next"] is None:
            break
        page += 1
    assert seen == [50.5, 53.25, 54.0, 1234.5, 57.3]
    beyond = ok(client.get("/api/v1/indicators/recycling-rate/observations?per_page=2&page=9"))
    assert beyond["data"] == []


def test_aggregated_resolutions_come_from_the_store_aggregates(client):
    years = ok(client.get("/api/v1/indicators/recycling-rate/observations?resolution=year"))
    # buckets are Europe/Berlin years: 2024 starts 2023-12-31T23:00Z
    values = {int(r["period_end"][:4]): r for r in years["data"]}
    assert sorted(values) == [2023, 2024, 2025, 2026]
    # a mean indicator: 2025 is the mean of its two observations
    assert values[2024]["value"] == 53.25 and values[2025]["value"] == pytest.approx((54.0 + 1234.5) / 2)
    assert values[2025]["n"] == 2 and values[2025]["min"] == 54.0 and values[2025]["max"] == 1234.5
    assert values[2024]["period_start"] == "2023-12-31T23:00:00Z"
    assert values[2024]["period_end"] == "2024-12-31T23:00:00Z"
    months = ok(client.get("/api/v1/indicators/recycling-rate/observations?resolution=month&from=2026-01-01"))
    assert [(r["period_start"], r["period_end"]) for r in months["data"]] == [
        ("2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z")]


def test_district_values(client):
    body = ok(client.get("/api/v1/indicators/charge-points-per-1000/observations?district=lusan"))
    assert [(r["district"], r["value"]) for r in body["data"]] == [("lusan", 0.9)]
    city = ok(client.get("/api/v1/indicators/charge-points-per-1000/observations"))
    assert [(r["district"], r["value"]) for r in city["data"]] == [("", 1.6)]


def test_values_per_1000_inhabitants_follow_the_one_rule(client, cockpit):
    """`norm=per1000`: raw value × the unit's scale ÷ population × 1000, the unit names the scaled unit; the same
    rule as the explorer (cockpit.kpi.per_capita)."""
    population = cockpit.catalog.population
    body = ok(client.get("/api/v1/indicators/final-energy-use/observations?norm=per1000"))
    assert body["unit"] == {"de": "MWh je 1.000 Einw.", "en": "MWh per 1,000 inhabitants"}
    assert body["data"][0]["value"] == pytest.approx(1650.0 * 1000 / population * 1000)  # GWh = 1000 MWh
    yearly = ok(client.get("/api/v1/indicators/final-energy-use/observations?norm=per1000&resolution=year"))
    row = yearly["data"][0]
    assert row["value"] == row["min"] == row["max"] == pytest.approx(1650.0 * 1000 / population * 1000)
    csv_body = client.get("/api/v1/indicators/final-energy-use/observations?norm=per1000&format=csv&lang=en")
    frame = pd.read_csv(io.BytesIO(csv_body.get_data()))
    assert frame["value"].iloc[0] == pytest.approx(1650.0 * 1000 / population * 1000)
    stored = ok(client.get("/api/v1/indicators/charge-points-per-1000/observations?district=lusan&norm=per1000"))
    assert [r["value"] for r in stored["data"]] == [0.9]  # already per 1,000 inhabitants
    assert body["per_1000_inhabitants"] is True and csv_body.headers["X-Per-1000-Inhabitants"] == "true"
    share = ok(client.get("/api/v1/indicators/recycling-rate/observations?norm=per1000&resolution=year"))
    plain = ok(client.get("/api/v1/indicators/recycling-rate/observations?resolution=year"))
    assert share["per_1000_inhabitants"] is False and share["unit"] == {"de": "%", "en": "%"}
    assert share["data"] == plain["data"]  # a share is never divided by the population
    assert client.get("/api/v1/indicators/final-energy-use/observations?norm=x").status_code == 400


def test_csv_in_german_opens_with_semicolon_and_decimal_comma(client):
    response = client.get("/api/v1/indicators/recycling-rate/observations?format=csv&lang=de")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="recycling-rate_raw.csv"' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # spreadsheet programs then read UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "indicator;district;period_start;period_end;value"
    assert "1234,5" in text and "1.234" not in text
    frame = pd.read_csv(io.StringIO(text), sep=";", decimal=",", keep_default_na=False)
    assert frame["value"].tolist() == [50.5, 53.25, 54.0, 1234.5, 57.3]
    assert frame["period_start"].iloc[-1] == "2026-09-30T22:00:00Z"


def test_csv_in_english_opens_with_comma_and_decimal_point(client):
    response = client.get("/api/v1/indicators/recycling-rate/observations?format=csv&lang=en&resolution=year")
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff")
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == ["indicator", "district", "period_start", "period_end", "value", "n", "min",
                                   "max"]
    assert frame.loc[frame["period_start"] == "2023-12-31T23:00:00Z", "value"].tolist() == [53.25]
    assert frame["n"].sum() == 5


def test_goals_with_position_status_reason_and_forecast(client):
    body = ok(client.get("/api/v1/goals"))
    ids = [g["id"] for g in body["data"]]
    assert INTERNAL_GOAL not in ids and "recycling-rate-eu" in ids
    goal = next(g for g in body["data"] if g["id"] == "recycling-rate-eu")
    assert goal["target"] == {"year": 2035, "value": 65.0} and goal["legal_basis"]["de"].startswith("EU-Abfall")
    evaluation = goal["evaluation"]
    assert evaluation["status"] in ("achieved", "on_track", "at_risk", "off_track", "no_data")
    assert evaluation["position"] in ("achieved", "on_track", "at_risk", "off_track", "no_data")
    assert set(evaluation["reason"]) == {"de", "en"}
    assert evaluation["year"] == 2025 and evaluation["value"] == pytest.approx((54.0 + 1234.5) / 2)
    assert "forecast" in evaluation


@pytest.mark.parametrize(("query", "parameter"), [
    ("page=0", "page"),
    ("page=abc", "page"),
    ("per_page=100000", "per_page"),
    ("per_page=-1", "per_page"),
    ("from=2026-13-01", "from"),
    ("from=yesterday", "from"),
    ("to=2026-01-01T25:00", "to"),
    ("from=2026-02-30", "from"),
    ("resolution=week", "resolution"),
    ("format=xml", "format"),
    ("district=mars", "district"),
    ("lang=fr", "lang"),
    ("role=internal", "role"),
    ("page=1&page=2", "page"),
    ("from=%00%0a", "from"),
])
def test_malformed_parameters_are_a_400_naming_the_parameter(client, query, parameter):
    response = client.get(f"/api/v1/indicators/recycling-rate/observations?{query}")
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert f"parameter '{parameter}'" in message


def test_unknown_routes_and_methods_answer_in_json(client):
    assert client.get("/api/v1/nothing/here").status_code == 404
    assert client.get("/api/v1/nothing").get_json()["error"]["status"] == 404
    response = client.post("/api/v1/indicators")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405


def test_responses_are_cacheable_and_conditional(client, cockpit):
    first = client.get("/api/v1/indicators/recycling-rate/observations")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/api/v1/indicators/recycling-rate/observations", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/api/v1/indicators/recycling-rate/observations", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get("/api/v1/indicators/recycling-rate/observations?resolution=year")
    assert other.headers["ETag"] != etag
    write(cockpit, [("recycling-rate", "", "2026-11-01T00:00:00+01:00", 58.0)])
    changed = client.get("/api/v1/indicators/recycling-rate/observations", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["data"][-1]["value"] == 58.0


def test_links_never_follow_a_forged_host_into_a_shared_cache(client, tmp_path):
    """Without COCKPIT_PUBLIC_URL (development only: `serve` sets it) links follow the Host header, so the ETag
    includes it and the response says Vary: Host; with it, the Host header changes nothing."""
    path = "/api/v1/indicators/recycling-rate"
    real = client.get(path, headers={"Host": "cockpit.gera.de"})
    forged = client.get(path, headers={"Host": "evil.example"})
    assert "http://evil.example/api/" in forged.get_data(as_text=True)
    assert "Host" in real.headers["Vary"] and "Host" in forged.headers["Vary"]
    assert real.headers["ETag"] != forged.headers["ETag"]
    assert client.get(path, headers={"Host": "evil.example", "If-None-Match": real.headers["ETag"]}).status_code == 200

    from layouts.app import create_app

    (tmp_path / "configured").mkdir()
    configured = create_app(seeded_cockpit(tmp_path / "configured", public_url="https://cockpit.gera.de"))
    other = configured.server.test_client()
    real = other.get(path, headers={"Host": "cockpit.gera.de"})
    forged = other.get(path, headers={"Host": "evil.example"})
    assert "evil.example" not in forged.get_data(as_text=True)
    assert '"https://cockpit.gera.de/api/v1/indicators/recycling-rate/observations"' in forged.get_data(as_text=True)
    assert forged.get_data() == real.get_data() and forged.headers["ETag"] == real.headers["ETag"]
    assert "Host" not in forged.headers.get("Vary", "")


def test_a_staff_cookie_changes_nothing(client):
    anonymous = client.get("/api/v1/indicators").get_data()
    login(client)
    response = client.get("/api/v1/indicators")
    assert response.get_data() == anonymous
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.get(f"/api/v1/indicators/{INTERNAL[0]}/observations").status_code == 404


def test_rate_limit_is_shared_by_workers_and_says_when_to_retry(tmp_path):
    from layouts.app import create_server

    seeded_cockpit(tmp_path, api_rate_limit=3, api_rate_window=3600).store.engine.dispose()
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'cockpit.db'}", load_demo=False,
                             catalog=tmp_path / "catalog.yaml", api_rate_limit=3, api_rate_window=3600)
    worker_a = create_server(open_cockpit(settings)).test_client()
    worker_b = create_server(open_cockpit(settings)).test_client()
    assert worker_a.get("/api/v1/goals").status_code == 200
    assert worker_b.get("/api/v1/goals").status_code == 200
    third = worker_a.get("/api/v1/indicators")
    assert third.status_code == 200 and third.headers["RateLimit-Remaining"] == "0"
    refused = worker_b.get("/api/v1/indicators")
    assert refused.status_code == 429
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 2 * 3600
    assert "too many requests" in refused.get_json()["error"]["message"]
    other_client = worker_a.get("/api/v1/goals", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_client.status_code == 200


def test_rate_limit_can_be_switched_off(tmp_path):
    from layouts.app import create_server

    cockpit = seeded_cockpit(tmp_path, api_rate_limit=0)
    client = create_server(cockpit).test_client()
    assert all(client.get("/api/v1/openapi.json").status_code == 200 for _ in range(5))
    assert "RateLimit-Limit" not in client.get("/api/v1/openapi.json").headers


def test_rate_limit_counters_on_both_backends_drop_old_windows(database_url, catalog):
    store = migrated_store(database_url, catalog)
    try:
        now = int(time.time()) // 60
        assert store.count_hit("api:a", now - 5) == (1, 0)
        assert store.count_hit("api:a", now - 1) == (1, 0)
        assert [store.count_hit("api:a", now) for _ in range(3)] == [(1, 1), (2, 1), (3, 1)]  # (this, previous)
        assert store.count_hit("api:b", now) == (1, 0)
        with store.rate_limit_engine().connect() as conn:
            rows = conn.execute(select(rate_limits.c.client, rate_limits.c.window, rate_limits.c.hits)).all()
        assert sorted(rows) == [("api:a", now - 1, 1), ("api:a", now, 3), ("api:b", now, 1)]  # 5 min ago: gone
    finally:
        store.engine.dispose()


def test_rate_limit_counts_are_atomic_under_concurrent_workers(database_url, catalog):
    """Four threads (as four workers) counting the same client: every hit counted exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    store = migrated_store(database_url, catalog)
    try:
        window = int(time.time()) // 60
        with ThreadPoolExecutor(4) as pool:
            counted = list(pool.map(lambda _: store.count_hit("api:c", window), range(80)))
        assert sorted(hits for hits, _ in counted) == list(range(1, 81))
    finally:
        store.engine.dispose()


def _clock(monkeypatch, moment: list[float]) -> None:
    from layouts.blueprints import _public

    monkeypatch.setattr(_public.time, "time", lambda: moment[0])


def _rate_limited_client(tmp_path, **settings):
    from layouts.app import create_server

    return create_server(seeded_cockpit(tmp_path, api_rate_limit=3, api_rate_window=60, **settings)).test_client()


def test_rate_limit_allows_no_double_burst_at_a_window_edge(tmp_path, monkeypatch):
    """A fixed window would let 3 requests through just before its end and 3 more just after; the sliding
    window counts the previous window's requests until they are a window old."""
    moment = [60 * 1_000_000 + 59.5]  # half a second before a window ends
    _clock(monkeypatch, moment)
    client = _rate_limited_client(tmp_path)
    assert [client.get("/api/v1/goals").status_code for _ in range(3)] == [200, 200, 200]
    moment[0] += 1.0  # half a second into the next window
    refused = client.get("/api/v1/goals")
    retry = int(refused.headers["Retry-After"])
    assert refused.status_code == 429 and retry >= 30
    moment[0] += retry - 2  # asking again before the time it was given: still refused
    assert client.get("/api/v1/goals").status_code == 429
    moment[0] += 60  # the burst has faded (refused requests count too, so it took a little longer)
    assert client.get("/api/v1/goals").status_code == 200


def test_rate_limit_fails_closed_when_sqlite_is_locked(tmp_path, monkeypatch):
    from sqlalchemy import create_engine

    from cockpit.store import opendata

    monkeypatch.setattr(opendata, "HIT_WAIT_MS", 100)
    client = _rate_limited_client(tmp_path)
    assert client.get("/api/v1/goals").status_code == 200
    blocker = create_engine(f"sqlite:///{tmp_path / 'cockpit.db'}-ratelimit").connect()
    try:
        blocker.exec_driver_sql("BEGIN IMMEDIATE")  # something holds the counters' lock longer than a count waits
        response = client.get("/api/v1/goals")
        assert response.status_code == 503 and response.headers["Retry-After"] == "1"
        assert "rate limit" in response.get_json()["error"]["message"]
    finally:
        blocker.exec_driver_sql("ROLLBACK")
        blocker.close()
    assert client.get("/api/v1/goals").status_code == 200


def test_rate_limit_in_redis_is_shared_and_fails_closed(tmp_path, monkeypatch, redis_url):  # noqa: F811
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    moment = [60 * 2_000_000 + 10.0]
    _clock(monkeypatch, moment)
    client = _rate_limited_client(tmp_path, cache_url=redis_url)
    assert [client.get("/api/v1/goals").status_code for _ in range(4)] == [200, 200, 200, 429]
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("cockpit:rl:*")]
    assert keys == [f"cockpit:rl:api:127.0.0.1:{2_000_000}"]
    with store_rows(tmp_path) as rows:
        assert rows == []  # nothing counted in the database
    (tmp_path / "b").mkdir()
    other = _rate_limited_client(tmp_path / "b", cache_url="redis://127.0.0.1:1/0")  # nobody listens there
    response = other.get("/api/v1/goals")
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"


@contextmanager
def store_rows(tmp_path):
    from sqlalchemy import create_engine, inspect

    engine = create_engine(f"sqlite:///{tmp_path / 'cockpit.db'}-ratelimit")
    try:
        with engine.connect() as conn:
            yield conn.execute(select(rate_limits.c.client)).all() if inspect(engine).has_table("rate_limits") else []
    finally:
        engine.dispose()


def test_paged_raw_reads_filter_the_role_in_sql_on_both_backends(database_url, catalog):
    store = migrated_store(database_url, catalog)
    try:
        frame = make_frame([dict(indicator=i, district=d, period_start=s, period_end=None, value=v, raw="")
                            for i, d, s, v in ROWS])
        run_id = store.start_run("test")
        store.write_batch("test", run_id, frame, [], len(frame))
        page, total = store.observation_page(Role.PUBLIC, "recycling-rate", offset=1, limit=2)
        assert total == 5 and page["value"].tolist() == [53.25, 54.0]
        assert str(page["period_start"].dt.tz) == "UTC"
        hidden, hidden_total = store.observation_page(Role.PUBLIC, INTERNAL[0])
        assert hidden.empty and hidden_total == 0
        staff, staff_total = store.observation_page(Role.INTERNAL, INTERNAL[0])
        assert staff_total == 2 and len(staff) == 2  # the rows exist: the public read filtered them out
        assert store.data_changed_at() is not None and store.data_changed_at().tzinfo is not None
    finally:
        store.engine.dispose()


def test_a_running_ingest_write_never_blocks_the_api(tmp_path):
    """SQLite: while an ingest holds the write lock of the store's file, API requests are still counted at once
    (the counters live in their own small file)."""
    from layouts.app import create_server

    cockpit = seeded_cockpit(tmp_path, api_rate_limit=5)
    client = create_server(cockpit).test_client()
    with cockpit.store._write():  # what an ingest run holds while it writes a batch (for the whole request)
        during = client.get("/api/v1/goals")
    assert during.status_code == 200 and during.headers["RateLimit-Remaining"] == "4"  # counted, not refused
    after = client.get("/api/v1/goals")
    assert after.headers["RateLimit-Remaining"] == "3"
