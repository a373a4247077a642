"""The rate limit's request counter, behind one interface: `HitCounter.count_hit(client, window)`.

Two counters implement it, chosen by configuration (`hit_counter`): the store's SQL counter
(`cockpit.store.Store.count_hit`, the default: shared by every worker through the database) and the Redis counter
below (COCKPIT_CACHE_URL=redis://...: shared by every worker and host, no database write per request). Both count
fixed windows and answer (hits in this window, hits in the previous one) for a sliding-window estimate, or None
when the request cannot be counted now (the caller refuses it: the limit fails closed).
"""

from __future__ import annotations

import logging
from typing import Protocol

import redis

from cockpit.config import Settings

log = logging.getLogger(__name__)

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class HitCounter(Protocol):
    def count_hit(self, client: str, window: int) -> tuple[int, int] | None:
        """Count one request of `client` in the fixed window number `window`: (hits in this window, hits in the
        previous window), or None when it could not be counted now."""


class RedisHitCounter:
    """The counters in Redis: one MULTI/EXEC per request, atomic across workers and hosts. A window's key expires
    once the next window no longer needs it. The client connects on the first count, not before."""

    def __init__(self, url: str, seconds: int):
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.seconds = seconds

    def count_hit(self, client: str, window: int) -> tuple[int, int] | None:
        key = f"cockpit:rl:{client}:"
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.incr(key + str(window))
            pipe.expire(key + str(window), 2 * self.seconds + 5)
            pipe.get(key + str(window - 1))
            hits, _, previous = pipe.execute()
        except Exception as exc:  # redis.RedisError, OSError, a bad reply: refused by the caller (fails closed)
            log.warning("rate limit not counted in Redis (request refused with 503): %s", str(exc)[:200])
            return None
        return int(hits), int(previous or 0)


def uses_redis(settings: Settings) -> bool:
    """Whether the configuration names a Redis server for the shared counters (COCKPIT_CACHE_URL)."""
    return bool(settings.cache_url and settings.cache_url.startswith(REDIS_SCHEMES))


def hit_counter(settings: Settings, store: HitCounter) -> HitCounter:
    """The counter the configuration chooses: Redis when COCKPIT_CACHE_URL names one, else the store's."""
    if uses_redis(settings):
        return RedisHitCounter(settings.cache_url, settings.api_rate_window)
    return store
