"""Public embeds for city websites: /embed/tile/<indicator>, /embed/goal/<goal>, /embed/domain/<domain>,
/embed/goals, and /embed.js for the host page.

Server-rendered HTML from the view models (no Dash, no cookies), always in the public role whatever cookies or
parameters say, only indicators that are public and not opted out (`embeddable: false`). Framing is allowed
for the origins in COCKPIT_EMBED_ORIGINS (CSP frame-ancestors on these routes only). The only script is
/embed/frame.js (same origin): it posts the content height to an allowlisted parent, whose /embed.js resizes
the iframe up and down. Without the script the iframe keeps its height and scrolls.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from urllib.parse import quote

import flask

from cockpit import PROJECT_ROOT
from cockpit.i18n import t
from cockpit.roles import Role
from cockpit.runtime import Cockpit
from cockpit.views import DOMAINS, build_goals, build_overview
from cockpit.views import embed as embed_views
from cockpit.views.dcat import licence_page
from cockpit.views.embed import EmbedOptions
from cockpit.views.legal import absolute, legal_links
from cockpit.views.params import ParameterError
from layouts.blueprints import _public
from layouts.components.sparkline import sparkline_svg, svg_data_url
from layouts.context import current_cockpit, default_lang

PROJECT_ASSETS = "assets"
bp = flask.Blueprint("embed", __name__, template_folder="templates")
FRAME_SCRIPT = "static/frame.js"


@bp.before_request
def _public_embed():
    _public.public_only(embed=flask.request.endpoint != "embed.host_script")


@bp.errorhandler(ParameterError)
def bad_parameter(exc: ParameterError):
    return problem(400, t("embed.badrequest.title", _lang_guess()), str(exc))


def _lang_guess() -> str:
    lang = flask.request.args.get("lang")
    return lang if lang in ("de", "en") else default_lang()


def problem(status: int, title: str, text: str) -> flask.Response:
    lang = _lang_guess()
    cockpit = current_cockpit()
    body = flask.render_template(
        "embed/problem.html", lang=lang, title=title, text=text, theme="light", show_title=True, border=True,
        origins_json=json.dumps(list(cockpit.settings.embed_origins)), legal=_legal(lang),
        legal_label=t("embed.legal.label", lang), kind="problem",
        doc_title=t("ui.title", lang, page=title, city=cockpit.catalog.city.get(lang)),
        full_url=None, attribution=None, demo=False)
    response = flask.make_response(body, status)
    response.headers["Cache-Control"] = _public.CACHE_CONTROL
    return response


def _legal(lang: str) -> list:
    cockpit = current_cockpit()
    base = _public.base_url()
    return [(link.key, link.label, absolute(link.href, base))
            for link in legal_links(cockpit.settings, lang, cockpit.catalog.city.get(lang))]


def render(kind: str, template: str, options: embed_views.EmbedOptions, title: str, full_path: str,
           **values) -> flask.Response:
    cockpit = current_cockpit()
    lang = options.lang
    origins = list(cockpit.settings.embed_origins)
    body = flask.render_template(
        template, lang=lang, theme=options.theme, show_title=options.title, border=options.border, kind=kind,
        title=title, doc_title=t("ui.title", lang, page=title, city=cockpit.catalog.city.get(lang)),
        origins_json=json.dumps(origins), legal=_legal(lang), legal_label=t("embed.legal.label", lang),
        full_url=_public.base_url() + full_path, open_full=t("embed.open_full", lang),
        new_window=t("embed.new_window", lang), min_height=embed_views.MIN_HEIGHT[kind], t=t,
        spark_src=_spark_src, licence_url=licence_page, **values)
    return flask.make_response(body, 200)


def _spark_src(spark) -> str:
    return svg_data_url(sparkline_svg([p.value for p in spark.points]))




def request_options() -> embed_views.EmbedOptions:
    return embed_views.parse_options(flask.request.args, default_lang())


def not_found() -> flask.Response:
    lang = _lang_guess()
    return problem(404, t("embed.notfound.title", lang), t("embed.notfound.text", lang))


def _attribution(source) -> tuple[str, str, str | None]:
    """(provider, licence name, licence page) for the credit line Datenlizenz Deutschland asks for."""
    return source.attribution, source.licence, licence_page(source.licence)


def _embed(allowed: Callable[[Cockpit], bool], build: Callable[[EmbedOptions, Cockpit], flask.Response | None]):
    """An embed as anonymous visitors see it: 404 for what may not be embedded (`allowed`), else the response of
    `build` with ETag and Last-Modified (404 when the public view has nothing to show: `build` gives None)."""
    options = request_options()
    cockpit = current_cockpit()
    if not allowed(cockpit):
        return not_found()
    def respond() -> flask.Response:
        response = build(options, cockpit)
        return not_found() if response is None else response

    return _public.conditional(respond)


@bp.route("/embed/tile/<indicator_id>")
def tile(indicator_id: str):
    def build(options: EmbedOptions, cockpit: Cockpit) -> flask.Response | None:
        found = embed_views.embed_tile(build_overview(cockpit, Role.PUBLIC, options.lang), cockpit.catalog,
                                       indicator_id)
        return None if found is None else render(
            "tile", "embed/tile.html", options, found.name, f"/?lang={options.lang}#tile-{quote(found.indicator_id)}",
            tile=found, attribution=_attribution(found.source), demo=found.demo)

    return _embed(lambda cockpit: indicator_id in embed_views.embeddable_ids(cockpit.catalog), build)


@bp.route("/embed/domain/<domain>")
def domain(domain: str):
    def build(options: EmbedOptions, cockpit: Cockpit) -> flask.Response | None:
        view = build_overview(cockpit, Role.PUBLIC, options.lang)
        group = embed_views.embed_domain(view, cockpit.catalog, domain)
        if group is None:
            return None
        title = t("embed.domain.heading", options.lang, domain=group.title, city=view.city)
        return render("domain", "embed/domain.html", options, title, f"/?lang={options.lang}#domain-{domain}",
                      group=group, attribution=t("embed.attribution.several", options.lang),
                      demo=any(tile.demo for tile in group.tiles))

    return _embed(lambda _cockpit: domain in DOMAINS, build)


@bp.route("/embed/goal/<goal_id>")
def goal(goal_id: str):
    def allowed(cockpit: Cockpit) -> bool:
        known = {g.id: g for g in cockpit.catalog.goals}
        return goal_id in known and known[goal_id].indicator in embed_views.embeddable_ids(cockpit.catalog)

    def build(options: EmbedOptions, cockpit: Cockpit) -> flask.Response | None:
        view = build_goals(cockpit, Role.PUBLIC, options.lang)
        found = embed_views.embed_goal(view, cockpit.catalog, goal_id)
        if found is None:
            return None
        source = cockpit.catalog.indicator(found.indicator_id).source
        return render("goal", "embed/goal.html", options, found.name,
                      f"/goals?lang={options.lang}#goal-{quote(found.id)}", goal=found,
                      attribution=_attribution(source), demo=found.demo)

    return _embed(allowed, build)


@bp.route("/embed/goals")
def goals():
    def build(options: EmbedOptions, cockpit: Cockpit) -> flask.Response:
        view = embed_views.embed_goals(build_goals(cockpit, Role.PUBLIC, options.lang), cockpit.catalog)
        title = t("embed.goals.heading", options.lang, city=view.city)
        return render("goals", "embed/goals.html", options, title, f"/goals?lang={options.lang}", view=view,
                      attribution=t("embed.attribution.several", options.lang), demo=view.demo,
                      evaluated=t("embed.evaluated", options.lang, date=view.at_text))

    return _embed(lambda _cockpit: True, build)


@bp.route("/embed/<path:_rest>")
def unknown(_rest: str):
    return not_found()


@bp.route("/embed/frame.js")
def frame_script():
    return _script(flask.current_app.extensions["embed.frame_js"])


@bp.route("/embed.js", endpoint="host_script")
def host_script():
    return _script(flask.current_app.extensions["embed.host_js"])


def _script(source: str) -> flask.Response:
    response = flask.Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"  # a script any host page may load
    response.set_etag(hashlib.sha256(source.encode("utf-8")).hexdigest()[:20])
    return response.make_conditional(flask.request)


def init_app(server: flask.Flask) -> None:
    _public.install_sessions(server)
    here = PROJECT_ROOT / "layouts" / "blueprints"
    server.extensions["embed.frame_js"] = (here / FRAME_SCRIPT).read_text(encoding="utf-8")
    server.extensions["embed.host_js"] = (PROJECT_ROOT / PROJECT_ASSETS / "embed.js").read_text(encoding="utf-8")
