"""The explorer's state: what `/explore` shows, as it stands in a readable URL
(`ind=a&district=lusan&district=stadtmitte&from=2020-01&to=now&res=month&lang=de`), parsed and restricted to what
the viewer may see, and the options of its filters. Plain data, no Dash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qs, quote_plus

from cockpit.catalog import Catalog, Indicator
from cockpit.i18n import t
from cockpit.roles import Role, Viewer
from cockpit.views.timeseries import RESOLUTIONS, Problem, preset_start

DOMAINS = ("energy", "mobility", "waste")
MAX_INDICATORS = 6
MAX_DISTRICTS = 12
CITY = ""  # the district id of city-wide values


# ------------------------------------------------------------------------------------------------ state


@dataclass(frozen=True)
class ExploreState:
    """Everything the explorer shows, as it stands in the URL."""

    indicators: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    domain: str = ""
    department: str = ""
    range_from: str = ""
    range_to: str = ""
    res: str = "auto"
    per1000: bool = False
    sort: str = ""
    peers: tuple[str, ...] = ()  # the comparison layer: "type" and peer municipalities (cockpit/views/explore_peers)

    def query(self, lang: str) -> str:
        """The readable query string ('ind=a&district=lusan&district=stadtmitte&from=2020-01&to=now&res=month')."""
        pairs = [("ind", i) for i in self.indicators] + [("district", d) for d in self.districts]
        for key, value in (("domain", self.domain), ("department", self.department), ("from", self.range_from),
                           ("to", self.range_to)):
            if value:
                pairs.append((key, value))
        if self.res != "auto":
            pairs.append(("res", self.res))
        if self.per1000:
            pairs.append(("norm", "per1000"))
        if self.sort:
            pairs.append(("sort", self.sort))
        pairs += [("peer", p) for p in self.peers]
        pairs.append(("lang", lang))
        return "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in pairs)


@lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    """One part of a query string, as `urlencode(pairs, safe="-/")` writes it (cached: the filter links of a page
    repeat the same few hundred ids and values)."""
    return quote_plus(text, safe="-/")


def _values(params: dict, key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in values:
        out += [part.strip() for part in str(item).split(",") if part.strip()]
    return out


def _known_values(params: dict, key: str, known, problem_key: str, lang: str, problems: list) -> list[str]:
    """The distinct values of `key` that are in `known`, in order; a problem naming each other value."""
    found: list[str] = []
    for value in _values(params, key):
        if value not in known:
            problems.append(Problem(t(problem_key, lang, value=value)))
        elif value not in found:
            found.append(value)
    return found


def _first(params: dict, key: str) -> str:
    values = _values(params, key)
    return values[0] if values else ""


def parse_state(catalog: Catalog, role: Viewer | Role | str, params: dict, lang: str,
                peer_ids: tuple[str, ...] = ()) -> tuple[ExploreState, list[Problem]]:
    """The state a URL asks for, restricted to what the viewer may see; every unusable value gives a Problem
    and its default (an internal indicator named in a public URL reads exactly like an unknown one)."""
    problems: list[Problem] = []
    visible = {i.id: i for i in catalog.visible_indicators(role)}
    indicators = _known_values(params, "ind", visible, "explorer.problem.indicator", lang, problems)
    if len(indicators) > MAX_INDICATORS:
        problems.append(Problem(t("explorer.problem.too_many", lang, count=MAX_INDICATORS)))
        indicators = indicators[:MAX_INDICATORS]
    known_districts = {d.id for d in catalog.districts}
    districts = _known_values(params, "district", known_districts, "explorer.problem.district", lang, problems)
    districts = districts[:MAX_DISTRICTS]
    domain = _first(params, "domain")
    if domain and domain not in DOMAINS:
        problems.append(Problem(t("explorer.problem.domain", lang, value=domain)))
        domain = ""
    department = _first(params, "department")
    if department and department not in {d.id for d in catalog.departments}:
        problems.append(Problem(t("explorer.problem.department", lang, value=department)))
        department = ""
    res = _first(params, "res") or "auto"
    if res not in RESOLUTIONS:
        problems.append(Problem(t("explorer.problem.res", lang, value=res)))
        res = "auto"
    norm = _first(params, "norm")
    if norm and norm not in ("per1000", "abs"):
        problems.append(Problem(t("explorer.problem.norm", lang, value=norm)))
    sort = _first(params, "sort")
    if sort and not sort.lstrip("-").isdigit():
        problems.append(Problem(t("explorer.problem.sort", lang, value=sort)))
        sort = ""
    range_from, range_to = _first(params, "from"), _first(params, "to")
    peers = _known_values(params, "peer", peer_ids, "peers_explore.problem", lang, problems)
    state = ExploreState(tuple(indicators), tuple(districts), domain, department, range_from,
                         range_to, res, norm == "per1000", sort, tuple(peers))
    return state, problems



def ordered_indicators(catalog: Catalog, role: Viewer | Role | str, department: str, domain: str) -> list[Indicator]:
    """Visible indicators of the domain (all without), the department's own first."""
    visible = [i for i in catalog.visible_indicators(role) if not domain or i.domain == domain]
    return sorted(visible, key=lambda i: (0 if department and i.owner == department else 1))


def indicator_label(indicator: Indicator, lang: str) -> str:
    label = indicator.name.get(lang)
    if indicator.visibility == "internal":
        label += f" ({t('explorer.internal', lang)})"
    return label


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    internal: bool = False



# ------------------------------------------------------------------------------------------------ filters


def params_from_search(search: str | None) -> dict:
    """The parameters of a URL search ('?ind=a&ind=b&lang=de'), every key with its list of values."""
    return parse_qs((search or "").lstrip("?"), keep_blank_values=True, max_num_fields=200)


def filter_params(domain: str | None, department: str | None, indicators: list | None, districts: list | None,
                  res: str | None, per1000: bool, range_from: str | None, range_to: str | None, lang: str,
                  sort: str = "", peers: list | None = None) -> dict:
    """The parameters the explorer's filter controls stand for (as `parse_state` reads them from a URL): the
    controls and the URL are two forms of the same state."""
    params: dict = {"ind": [str(i) for i in indicators or []], "district": [str(d) for d in districts or []],
                    "lang": lang}
    for key, value in (("domain", domain), ("department", department), ("from", range_from), ("to", range_to),
                       ("res", res if res and res != "auto" else ""), ("sort", sort)):
        if value:
            params[key] = str(value).strip()
    if per1000:
        params["norm"] = "per1000"
    if peers:
        params["peer"] = [str(p) for p in peers]
    return params


def preset_range(preset: str, now: datetime) -> tuple[str, str]:
    """The range ('from', 'to') a preset button sets: from its start until now."""
    return preset_start(preset, now) or "", ""
