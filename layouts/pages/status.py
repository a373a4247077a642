"""Operations page `/status` for staff: source runs, recent errors, quarantine (filter in the URL), alerts, of
the sources that feed indicators the viewer may see (admins: all), and the read replica's state (where visitors'
reads go, its lag). Anonymous visitors get a notice and no data."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import html

from cockpit.i18n import t
from cockpit.roles import is_staff
from cockpit.views.replica_status import ReplicaView
from cockpit.views.status import build_status
from layouts import ids
from layouts.auth import current_viewer, login_enabled
from layouts.components.operations import status_content
from layouts.components.shell import page_context, shell
from layouts.context import current_cockpit, page_title, page_url

PATH = "/status"
TITLE_KEY = "measures.ops.title"

dash.register_page(__name__, path=PATH, name="status", title=page_title(TITLE_KEY), title_key=TITLE_KEY, order=4)


def layout(lang: str | None = None, kiosk: str | None = None, source: str | None = None, **_query) -> html.Div:
    ctx = page_context(PATH, lang, kiosk)
    if not is_staff(current_viewer()):
        content = [html.P(t("measures.ops.forbidden", ctx.lang), className="measures-forbidden", role="status")]
        if login_enabled():
            query = urlencode({"lang": ctx.lang, "next": page_url(PATH, ctx.lang)})
            content.append(html.P(html.A(t("measures.ops.login", ctx.lang), href=f"/login?{query}")))
        return shell(ctx, t("measures.ops.heading", ctx.lang), None,
                     [html.Div(content, id=ids.STATUS_CONTENT, className="measures")])
    view = build_status(current_cockpit(), current_viewer(), ctx.lang, source)
    content = [*status_content(view, ctx.lang), replica_section(view.replica, ctx.lang)]
    return shell(ctx, t("measures.ops.heading", ctx.lang), t("measures.ops.intro", ctx.lang),
                 [html.Div(content, id=ids.STATUS_CONTENT, className="measures")])


def replica_section(replica: ReplicaView, lang: str) -> html.Section:
    """The read replica: its state as icon and word, where visitors' reads go, and its figures as a table."""
    state = html.P([html.Span(t("replica.state.label", lang) + ": ", className="measures-ops__replica-label"),
                    html.Span([html.Span(className="status__icon", **{"aria-hidden": "true"}),
                               html.Span(replica.state_text, className="status__text")],
                              className=f"status status--{replica.icon}")],
                   className="measures-ops__replica-state", **{"data-state": replica.state})
    children = [html.H2(t("replica.title", lang), className="measures-section__title"), state,
                html.P(replica.reads_text)]
    if replica.facts:
        children.append(html.Table([html.Caption(t("replica.table", lang)),
                                    html.Tbody([html.Tr([html.Th(label, scope="row"), html.Td(value)])
                                                for label, value in replica.facts])],
                                   className="data-table measures-ops__replica"))
    return html.Section(children, className="measures-section measures-ops__replica-section",
                        id="status-replica")
