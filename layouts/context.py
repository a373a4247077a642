"""Per-request context of the web layer: the cockpit of the app, the language, URLs that keep the language.

The bottom of the web layer: `layouts.auth` (who is asking) builds on it, `layouts.components.shell` (the frame of
every page, `page_context`) on both."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import dash
import flask

from cockpit.i18n import LANGUAGES, t
from cockpit.roles import Role
from cockpit.runtime import Cockpit

COCKPIT_KEY = "COCKPIT"
TRUE_WORDS = ("", "1", "true", "yes", "on")


def current_cockpit() -> Cockpit:
    """The cockpit wired into the Flask app by create_app."""
    return flask.current_app.config[COCKPIT_KEY]


def default_lang() -> str:
    try:
        return current_cockpit().settings.default_lang
    except (RuntimeError, KeyError):
        return "de"


def resolve_lang(value: str | list | None) -> str:
    """The language asked for (`?lang=`), else the configured default."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if value in LANGUAGES else default_lang()


def query_from_search(search: str | None) -> dict[str, str]:
    """'?lang=en&kiosk' -> {'lang': 'en', 'kiosk': ''} (first value of each key)."""
    parsed = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items() if values}


def lang_from_search(search: str | None) -> str:
    return resolve_lang(query_from_search(search).get("lang"))


def kiosk_from(value: str | list | None) -> bool:
    if isinstance(value, list):
        value = value[0] if value else None
    return value is not None and str(value).lower() in TRUE_WORDS


def page_url(path: str, lang: str, kiosk: bool = False) -> str:
    """A link to `path` that keeps the language (and the kiosk mode)."""
    params = {"lang": lang}
    if kiosk:
        params["kiosk"] = "1"
    return f"{path}?{urlencode(params)}"


@dataclass(frozen=True)
class PageContext:
    """What the shell of every page needs to know about the request."""

    lang: str
    path: str
    kiosk: bool
    role: Role
    login_enabled: bool
    city: str


def lang_of_routing_callback() -> str:
    """The language of the page being routed (the Dash Pages router passes the URL search as an input)."""
    try:
        search = dash.callback_context.inputs.get("_pages_location.search")
    except Exception:  # noqa: BLE001 - outside a callback: the default language
        search = None
    return lang_from_search(search)


def document_title(page_key: str, lang: str, city: str) -> str:
    return t("ui.title", lang, page=t(page_key, lang), city=city)


def page_title(page_key: str):
    """A Dash Pages `title` function: '<page> – SmartCity Cockpit <city>' in the language of the URL."""

    def title(**_path_variables) -> str:
        lang = lang_of_routing_callback()
        return document_title(page_key, lang, current_cockpit().catalog.city.get(lang))

    return title
