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
from layouts.blueprints.embed import bad_parameter, not_found, render, request_options
from layouts.context import current_cockpit

bp = flask.Blueprint("embed_pathway", __name__)


@bp.before_request
def _public_embed():
    _public.public_only(embed=True)


bp.register_error_handler(ParameterError, bad_parameter)


@bp.route("/embed/pathway")
def pathway():
    args = flask.request.args
    off = parse_off(args.get("off"))
    options = request_options()

    def build():
        view = build_pathway(current_cockpit(), Role.PUBLIC, options.lang, off)
        if view.empty:
            return not_found()
        return render("pathway", "embed/pathway.html", options, t("pathway.heading", options.lang),
                      page_href(options.lang, view.off), view=view, attribution=view.source_line, demo=view.demo)

    return _public.conditional(build)

