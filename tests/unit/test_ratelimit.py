"""The rate limit's two request counters behind one interface: the store's (SQL, both backends) and Redis count
alike, and the configuration chooses between them."""

from __future__ import annotations

import redis

from cockpit.config import load_settings
from cockpit.ratelimit import RedisHitCounter, hit_counter
from tests.conftest import migrated_store
from tests.fixtures.redis import redis_url  # noqa: F401 - fixture

# (client, window number): two clients, a window, the next one, a gap of several windows, a window back
HITS = [("api:a", 100), ("api:a", 100), ("api:b", 100), ("api:a", 101), ("api:a", 101), ("api:a", 101),
        ("api:b", 101), ("api:a", 102), ("api:a", 105), ("api:a", 106), ("api:b", 106), ("api:a", 106)]
EXPECTED = [(1, 0), (2, 0), (1, 0), (1, 2), (2, 2), (3, 2), (1, 1), (1, 3), (1, 0), (1, 1), (1, 0), (2, 1)]


def test_the_redis_and_the_sql_counter_agree_on_every_window(database_url, catalog, redis_url):  # noqa: F811
    redis.Redis.from_url(redis_url).flushdb()
    store = migrated_store(database_url, catalog)
    try:
        in_redis = RedisHitCounter(redis_url, seconds=60)
        counted_sql = [store.count_hit(client, window) for client, window in HITS]
        counted_redis = [in_redis.count_hit(client, window) for client, window in HITS]
    finally:
        store.engine.dispose()
    assert counted_redis == counted_sql == EXPECTED
    ttl = redis.Redis.from_url(redis_url).ttl("cockpit:rl:api:a:106")
    assert 60 < ttl <= 125  # kept while the next window still weighs it, then gone by itself


def test_the_configuration_chooses_the_counter(database_url, catalog, redis_url):  # noqa: F811
    store = migrated_store(database_url, catalog)
    try:
        assert hit_counter(load_settings(load_demo=False, cache_url=None), store) is store
        chosen = hit_counter(load_settings(load_demo=False, cache_url=redis_url, api_rate_window=30), store)
        assert isinstance(chosen, RedisHitCounter) and chosen.seconds == 30
    finally:
        store.engine.dispose()


def test_redis_out_of_reach_counts_nothing_so_the_request_is_refused():
    assert RedisHitCounter("redis://127.0.0.1:1/0", seconds=60).count_hit("api:a", 100) is None
