"""Public embed /embed/pathway: the climate pathway's sentence, key figures and each measure's contribution, for
city websites (server-rendered like the other embeds in embed.py: public role, no cookies, framing only by
COCKPIT_EMBED_ORIGINS; `off` for a "what if" of public measures)."""

from __future__ import annotations

import flask

from cockpit.i18n import t
from cockpit.roles import Role
from cockpit.views.params import ParameterError
from cockpit.views.pathway import build_pathway, page_href, parse_off
from layouts.blueprints import _public
from layouts.blueprints.embed import _not_found, _options, _problem, _render
from layouts.context import current_cockpit

bp = flask.Blueprint("embed_pathway", __name__)


@bp.before_request
def _public_embed():
    _public.public_only(embed=True)


@bp.errorhandler(ParameterError)
def _bad_parameter(exc: ParameterError):
    lang = flask.request.args.get("lang")
    return _problem(400, t("embed.badrequest.title", lang if lang in ("de", "en") else "de"), str(exc))


@bp.route("/embed/pathway")
def pathway():
    args = flask.request.args
    off = parse_off(args.get("off"))
    options = _options()

    def build():
        view = build_pathway(current_cockpit(), Role.PUBLIC, options.lang, off)
        if view.empty:
            return _not_found()
        return _render("pathway", "embed/pathway.html", options, t("pathway.heading", options.lang),
                       page_href(options.lang, view.off), view=view, attribution=view.source_line, demo=view.demo)

    return _public.conditional(build)

