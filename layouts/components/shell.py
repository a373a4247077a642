"""The frame of every page: skip link, header (brand, navigation, language, login), main, footer."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from cockpit.i18n import t
from cockpit.roles import Role
from cockpit.views.embed import embeddable_ids
from cockpit.views.kept import KeptByIdentity
from layouts import ids
from layouts.auth import CSRF_FIELD, csrf_token, current_role, current_viewer, login_enabled
from layouts.components.embed_builder import BUILDER_PATH, builder_url
from layouts.components.legal import legal_nav
from layouts.components.plain import component_json
from layouts.context import PageContext, current_cockpit, kiosk_from, page_url, resolve_lang

NAV = (("/", "ui.nav.overview"), ("/goals", "ui.nav.goals"), ("/explore", "explorer.nav"),
       ("/measures", "measures.nav"), ("/klimapfad", "pathway.nav"),
       ("/berichte", "reports.nav"))
STAFF_NAV = (("/status", "measures.ops.title"),)  # staff only: operations (sources, quarantine, alerts)


def page_context(path: str, lang: str | None, kiosk: str | None = None) -> PageContext:
    cockpit = current_cockpit()
    lang = resolve_lang(lang)
    return PageContext(lang, path, kiosk_from(kiosk), current_role(), login_enabled(),
                       cockpit.catalog.city.get(lang))


def _nav(ctx: PageContext) -> html.Nav:
    items = []
    entries = NAV + (STAFF_NAV if ctx.role in (Role.INTERNAL, Role.ADMIN) else ())
    for path, key in entries:
        current = {"aria-current": "page"} if path == ctx.path else {}
        items.append(html.Li(html.A(t(key, ctx.lang), href=page_url(path, ctx.lang, ctx.kiosk),
                                    className="site-nav__link", **current)))
    return html.Nav(html.Ul(items, className="site-nav__list"), className="site-nav",
                    **{"aria-label": t("ui.nav.label", ctx.lang)})


def _tools(ctx: PageContext) -> html.Div:
    other = "en" if ctx.lang == "de" else "de"
    tools = [html.A(t("ui.lang.other", ctx.lang), href=page_url(ctx.path, other, ctx.kiosk), lang=other,
                    hrefLang=other, className="site-tools__link site-tools__lang",
                    **{"aria-label": f"{t('ui.lang.label', ctx.lang)}: {t('ui.lang.other', ctx.lang)}"})]
    if ctx.role in (Role.INTERNAL, Role.ADMIN):
        tools.insert(0, html.Span(t("ui.role.internal", ctx.lang), className="badge badge--internal",
                                  title=t("accounts.user.label", ctx.lang, name=current_viewer().user or "-")))
        if ctx.role == Role.ADMIN:
            tools.append(html.A(t("accounts.admin.link", ctx.lang), href=f"/admin/accounts?lang={ctx.lang}",
                                className="site-tools__link"))
        tools.append(html.Form([  # logout is a POST with the session's CSRF token (layouts.auth)
            dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token()),
            html.Button(t("ui.logout.link", ctx.lang), type="submit", className="site-tools__link accounts-logout"),
        ], method="post", action=f"/logout?lang={ctx.lang}", className="accounts-logout-form"))
    elif ctx.login_enabled:
        query = urlencode({"lang": ctx.lang, "next": page_url(ctx.path, ctx.lang)})
        tools.append(html.A(t("ui.login.link", ctx.lang), href=f"/login?{query}",
                            className="site-tools__link", title=t("ui.login.link_hint", ctx.lang)))
    return html.Div(tools, className="site-tools")


def _embed_href(ctx: PageContext) -> str | None:
    """The embed builder for what this page shows ('Einbetten'), on the pages that can be embedded."""
    if ctx.path in ("/", "/goals"):
        return page_url(BUILDER_PATH, ctx.lang)
    if ctx.path.startswith("/indicator/"):
        indicator_id = ctx.path.removeprefix("/indicator/")
        if indicator_id in embeddable_ids(current_cockpit().catalog):
            return builder_url("tile", indicator_id, ctx.lang)
    return None


def shell(ctx: PageContext, title: str, intro: str | None, content: list, footer_note: str | None = None) -> dict:
    """A page: header, <main id="main"> with the <h1> `title`, then `content`, and a footer. The frame (all but
    `content`) is rendered once per context, texts and viewer (login name, CSRF token) as the JSON Dash sends
    and kept; `content` goes into a copy of its <main>."""
    cockpit, viewer = current_cockpit(), current_viewer()
    frame = _FRAMES.get((cockpit.settings, cockpit.catalog), (ctx, title, intro, footer_note, viewer.user,
                                                               csrf_token()),
                        lambda: component_json(_frame(ctx, title, intro, footer_note)))
    props = dict(frame["props"])
    props["children"] = [_with_content(child, content) if isinstance(child, dict) and child["type"] == "Main"
                         else child for child in props["children"]]
    return {**frame, "props": props}


_FRAMES: KeptByIdentity[dict] = KeptByIdentity(64)


def _with_content(main: dict, content: list) -> dict:
    return {**main, "props": {**main["props"], "children": [*main["props"]["children"], *content]}}


def _frame(ctx: PageContext, title: str, intro: str | None, footer_note: str | None) -> html.Div:
    header_inner = [
        html.A([html.Span(className="brand__mark", **{"aria-hidden": "true"}),
                html.Span([html.Span(t("ui.brand", ctx.lang), className="brand__name"),
                           html.Span(t("ui.brand.tagline", ctx.lang, city=ctx.city), className="brand__city")],
                          className="brand__text")],
               href=page_url("/", ctx.lang, ctx.kiosk), className="brand"),
    ]
    if not ctx.kiosk:
        header_inner += [_nav(ctx), _tools(ctx)]
    main = [html.H1(title, className="page__title")]
    if intro:
        main.append(html.P(intro, className="page__intro"))
    embed_href = None if ctx.kiosk else _embed_href(ctx)
    if embed_href:
        main.append(html.P(html.A([html.Span(className="page__embed-icon", **{"aria-hidden": "true"}),
                                   t("pages.embed.link", ctx.lang)], href=embed_href, title=t("pages.embed.hint", ctx.lang),
                                  className="page__embed-link", **{"data-embed-builder": "page"}),
                           className="page__embed"))
    footer = [html.P(t("ui.footer.about", ctx.lang))]
    if footer_note:
        footer.append(html.P(footer_note))
    footer.append(legal_nav(ctx.lang, embed_href=page_url(BUILDER_PATH, ctx.lang)))
    return html.Div(
        [
            html.A(t("ui.skip", ctx.lang), href=f"#{ids.MAIN}", className="skip-link"),
            html.Header(html.Div(header_inner, className="site-header__inner"), className="site-header"),
            html.Main(main, id=ids.MAIN, className="page", tabIndex="-1"),
            html.Footer(html.Div(footer, className="site-footer__inner"), className="site-footer")
            if not ctx.kiosk else None,
        ],
        className="app" + (" app--kiosk" if ctx.kiosk else ""),
        lang=ctx.lang,
    )
