"""Public embeds: what an embed route shows (public role only, embeddable indicators only), its appearance
options, and the snippet a city website pastes (an iframe plus /embed.js, which resizes it to the content)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from cockpit.catalog import Catalog
from cockpit.i18n import LANGUAGES, t
from cockpit.views import params
from cockpit.views.goals import GoalsView, GoalView
from cockpit.views.overview import DomainGroup, OverviewView, TileView

KINDS = ("tile", "goal", "domain", "goals")
THEMES = ("light", "dark")
MIN_HEIGHT = {"tile": 420, "goal": 480, "domain": 560, "goals": 640,
              "pathway": 520}  # px without /embed.js (then it scrolls)
MESSAGE_TYPE = "cockpit-embed:height"  # {type, version: 1, height (CSS px), path}; see docs/embed.md


@dataclass(frozen=True)
class EmbedOptions:
    lang: str
    theme: str = "light"
    title: bool = True
    border: bool = True

    def query(self) -> dict[str, str]:
        """The query string parameters of an embed URL (only those that differ from the defaults, plus lang)."""
        query = {"lang": self.lang}
        if self.theme != "light":
            query["theme"] = self.theme
        if not self.title:
            query["title"] = "0"
        if not self.border:
            query["border"] = "0"
        return query


def parse_options(args: Mapping, default_lang: str) -> EmbedOptions:
    """`lang`, `theme`, `title`, `border` from a query string; a malformed value raises ParameterError."""
    return EmbedOptions(
        lang=params.choice(args, "lang", LANGUAGES, default_lang),
        theme=params.choice(args, "theme", THEMES, "light"),
        title=params.flag(args, "title", True),
        border=params.flag(args, "border", True),
    )


def embeddable_ids(catalog: Catalog) -> frozenset[str]:
    """Public indicators that are not opted out with `embeddable: false`."""
    return frozenset(i.id for i in catalog.indicators if i.visibility == "public" and i.embeddable)


def embed_tile(view: OverviewView, catalog: Catalog, indicator_id: str) -> TileView | None:
    if indicator_id not in embeddable_ids(catalog):
        return None
    return next((tile for tile in view.tiles if tile.indicator_id == indicator_id), None)


def embed_domain(view: OverviewView, catalog: Catalog, domain: str) -> DomainGroup | None:
    allowed = embeddable_ids(catalog)
    group = next((g for g in view.groups if g.domain == domain), None)
    if group is None:
        return None
    tiles = tuple(tile for tile in group.tiles if tile.indicator_id in allowed)
    return DomainGroup(group.domain, group.title, tiles) if tiles else None


def embed_goal(view: GoalsView, catalog: Catalog, goal_id: str) -> GoalView | None:
    allowed = embeddable_ids(catalog)
    return next((g for g in view.goals if g.id == goal_id and g.indicator_id in allowed), None)


def embed_goals(view: GoalsView, catalog: Catalog) -> GoalsView:
    """The goal tree without goals of indicators that may not be embedded."""
    allowed = embeddable_ids(catalog)
    if all(g.indicator_id in allowed for g in view.goals):
        return view
    visions = []
    for vision in view.visions:
        fields = tuple(replace(f, goals=tuple(g for g in f.goals if g.indicator_id in allowed))
                       for f in vision.fields)
        visions.append(replace(vision, fields=fields))
    return replace(view, visions=tuple(visions))


def embed_path(kind: str, ident: str | None, options: EmbedOptions) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown embed kind {kind!r}")
    path = "/embed/goals" if kind == "goals" else f"/embed/{kind}/{ident}"
    return f"{path}?{urlencode(options.query())}"


def snippet(base_url: str, kind: str, ident: str | None, options: EmbedOptions, title: str) -> str:
    """The HTML a host page pastes: the iframe (a sensible height without the script) and /embed.js."""
    base = base_url.rstrip("/")
    src = html.escape(base + embed_path(kind, ident, options), quote=True)
    label = html.escape(title, quote=True)
    height = MIN_HEIGHT[kind]
    return (f'<iframe src="{src}" title="{label}" loading="lazy" data-cockpit-embed '
            f'style="width:100%;height:{height}px;border:0"></iframe>\n'
            f'<script src="{html.escape(base, quote=True)}/embed.js" async></script>')


def frame_title(kind: str, name: str | None, lang: str, city: str) -> str:
    """The iframe's accessible name, e.g. 'Recyclingquote – SmartCity Cockpit Gera'."""
    label = name or t(f"embed.kind.{kind}", lang)
    return t("ui.title", lang, page=label, city=city)


# ------------------------------------------------------------------------------------------------ builder


@dataclass(frozen=True)
class BuilderChoice:
    value: str  # 'tile:recycling-rate', 'goal:<id>', 'domain:waste', 'goals:'
    kind: str
    ident: str | None
    label: str  # 'Kennzahl: Recyclingquote'
    name: str | None  # the subject's own name (for the iframe title)


def _choice(catalog: Catalog, kind: str, ident: str | None, lang: str) -> BuilderChoice:
    if kind == "tile":
        name = catalog.indicator(ident).name.get(lang)
    elif kind == "goal":
        goal = next(g for g in catalog.goals if g.id == ident)
        name = (goal.name or catalog.indicator(goal.indicator).name).get(lang)
    elif kind == "domain":
        name = t(f"domain.{ident}", lang)
    else:
        return BuilderChoice("goals:", "goals", None, t("embed.builder.all_goals", lang), None)
    return BuilderChoice(f"{kind}:{ident}", kind, ident, f"{t(f'embed.kind.{kind}', lang)}: {name}", name)


def parse_choice(catalog: Catalog, value: str | None) -> tuple[str, str | None] | None:
    """('tile', id) etc. for a choice value that names something embeddable; None otherwise (never trust input)."""
    if not isinstance(value, str) or ":" not in value:
        return None
    kind, ident = value.split(":", 1)
    allowed = embeddable_ids(catalog)
    if kind == "tile" and ident in allowed:
        return kind, ident
    if kind == "goal" and any(g.id == ident and g.indicator in allowed for g in catalog.goals):
        return kind, ident
    if kind == "domain" and any(i.domain == ident for i in catalog.indicators if i.id in allowed):
        return kind, ident
    if kind == "goals" and ident == "":
        return kind, None
    return None


def builder_choices(catalog: Catalog, lang: str, tile: str | None = None, goal: str | None = None,
                    domain: str | None = None) -> tuple[tuple[BuilderChoice, ...], str, bool]:
    """The choices offered for the subject named in the builder's URL, the preselected one, and whether the
    named subject can be embedded at all (False: only 'all goals' is offered)."""
    allowed = embeddable_ids(catalog)
    wanted: list[tuple[str, str | None]] = []
    known = True
    if tile is not None:
        if tile in allowed:
            indicator = catalog.indicator(tile)
            wanted += [("tile", tile), ("domain", indicator.domain)]
            wanted += [("goal", g.id) for g in catalog.goals_for(tile)]
        else:
            known = False
    elif goal is not None:
        found = next((g for g in catalog.goals if g.id == goal and g.indicator in allowed), None)
        if found is not None:
            wanted += [("goal", goal), ("tile", found.indicator)]
        else:
            known = False
    elif domain is not None:
        if parse_choice(catalog, f"domain:{domain}") is not None:
            wanted.append(("domain", domain))
        else:
            known = False
    wanted.append(("goals", None))
    # then everything else that can be embedded, so that the first select offers every kind of embed
    wanted += [("tile", i.id) for i in catalog.indicators if i.id in allowed]
    wanted += [("goal", g.id) for g in catalog.goals if g.indicator in allowed]
    wanted += [("domain", d) for d in dict.fromkeys(i.domain for i in catalog.indicators if i.id in allowed)]
    choices = tuple(_choice(catalog, kind, ident, lang) for kind, ident in dict.fromkeys(wanted))
    return choices, choices[0].value, known


def other_subjects(catalog: Catalog, lang: str) -> list[tuple[str, str, str]]:
    """(query key, id, label) of every embeddable indicator and goal, for links to the builder."""
    allowed = embeddable_ids(catalog)
    items = [("tile", i.id, _choice(catalog, "tile", i.id, lang).label) for i in catalog.indicators if i.id in allowed]
    items += [("goal", g.id, _choice(catalog, "goal", g.id, lang).label) for g in catalog.goals
              if g.indicator in allowed]
    return items
