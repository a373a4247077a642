"""Dash callbacks, one module per page (`@dash.callback`); bodies resolve role and language, then call cockpit."""

from __future__ import annotations

import importlib
import sys

MODULES = ("callbacks.overview", "callbacks.goals")


def load() -> None:
    """Import (or, for a further app in the same process, re-import) the callback modules.

    `@dash.callback` puts callbacks into Dash's global registry, which the next app takes over on its first
    request; a module imported for an earlier app must run again so that a new app gets its callbacks too.
    """
    for name in MODULES:
        module = sys.modules.get(name)
        if module is None:
            importlib.import_module(name)
        else:
            importlib.reload(module)
