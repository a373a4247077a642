"""Values derived once from the same objects: a small LRU keyed by the identity of the objects a value is
derived from (a snapshot, its kept tile views, a view model) plus plain keys (language, day).

An entry keeps its objects alive, so their ids are not reused while it exists: a key that matches names the very
same objects. Views and rendered trees derived this way are never changed afterwards, so one value may be handed
to several requests."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class KeptByIdentity(Generic[T]):
    def __init__(self, size: int):
        self._size = size
        self._entries: OrderedDict[tuple, tuple[tuple, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, objects: tuple, extra: tuple[Hashable, ...], derive: Callable[[], T]) -> T:
        """`derive()`, derived once per identity of `objects` and value of `extra` (while kept)."""
        key = (*map(id, objects), *extra)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[1]
        value = derive()
        with self._lock:
            self._entries[key] = (objects, value)  # keeps `objects` alive, so their ids are not reused meanwhile
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
