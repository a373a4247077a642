"""Dash callbacks, one module per page (`@dash.callback`); bodies resolve role and language, then call cockpit.

Every module of this package is a page's callbacks; `load` imports them all (no list to keep in step).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys


def module_names() -> list[str]:
    return [f"{__name__}.{m.name}" for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
            if not m.name.startswith("_")]


def load() -> None:
    """Import (or, for a further app in the same process, re-import) the callback modules.

    `@dash.callback` puts callbacks into Dash's global registry, which the next app takes over on its first
    request; a module imported for an earlier app must run again so that a new app gets its callbacks too.
    """
    for name in module_names():
        module = sys.modules.get(name)
        if module is None:
            importlib.import_module(name)
        else:
            importlib.reload(module)
