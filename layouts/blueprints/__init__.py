"""HTTP surfaces that are not Dash pages (open-data API, embed script, auth, ...): one Flask blueprint per module.

Every module of this package that defines a module-level `bp` (a `flask.Blueprint`) is registered by the app
factory, in module-name order; a module may also define `init_app(server)` for per-app setup (it is called
before the blueprint is registered). Adding a surface means adding a module: nothing to list elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil

import flask


def modules() -> list:
    """The blueprint modules of this package, sorted by name."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            found.append(importlib.import_module(f"{__name__}.{info.name}"))
    return found


def register_all(server: flask.Flask) -> None:
    for module in modules():
        init = getattr(module, "init_app", None)
        if init is not None:
            init(server)
        blueprint = getattr(module, "bp", None)
        if isinstance(blueprint, flask.Blueprint):
            server.register_blueprint(blueprint)
