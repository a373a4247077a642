"""OGC SensorThings API 1.1 (read-only, public data only): the entities of the cockpit and the answers to resource
paths with OData query options.

Things are the city ("city") and its districts; each has one Location and one FeatureOfInterest with the same id
(the district geometry). A Sensor and an ObservedProperty per public indicator (id = indicator id); a Datastream
per public indicator and Thing (id '<indicator>:<thing>'; district-level indicators have one per district besides
the city-wide one); Observations are the stored values (id = the store's row id). Everything is read for the
public role: the catalog lists public indicators only, and every observation read filters in SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from cockpit.catalog import Indicator
from cockpit.i18n import t
from cockpit.roles import Role
from cockpit.store.standards import ObservationSelection
from cockpit.views import sta_query as q
from cockpit.views.archived import archived_years, stream_note
from cockpit.views.explore import GeometryError, geometry_location, load_geometry
from cockpit.views.opendata import public_indicators
from cockpit.views.sta_model import (
    CONFORMANCE,
    NAVIGATION,
    OBSERVATION_ORDER,
    OM_MEASUREMENT,
    PROPERTIES,
    SETS,
)

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

VERSION_PATH = "/sta/v1.1"
CITY = "city"
_SEGMENT = re.compile(r"^([A-Za-z]+)(?:\((?:'((?:[^']|'')*)'|(\d{1,18}))\))?$")


class NotFound(LookupError):
    """The path names no entity (or one the public may not see)."""


@dataclass(frozen=True)
class Stream:
    id: str
    indicator: Indicator
    thing: str  # CITY or a district id

    @property
    def district(self) -> str:
        return "" if self.thing == CITY else self.thing


def stream_id(indicator_id: str, district: str) -> str:
    return f"{indicator_id}:{district or CITY}"


class Service:
    """The SensorThings view of one cockpit for one request (public role, the cockpit's base URL)."""

    def __init__(self, cockpit: Cockpit, base_url: str):
        self.cockpit = cockpit
        self.base = base_url.rstrip("/")
        self.root = self.base + VERSION_PATH
        self.lang = cockpit.settings.default_lang
        catalog = cockpit.catalog
        self.indicators = {i.id: i for i in public_indicators(catalog)}
        self.districts = {d.id: d for d in catalog.districts}
        self.streams: dict[str, Stream] = {}
        for ind in self.indicators.values():
            things = [CITY, *(sorted(self.districts) if ind.spatial == "district" else [])]
            for thing in things:
                sid = stream_id(ind.id, "" if thing == CITY else thing)
                self.streams[sid] = Stream(sid, ind, thing)
        self.synthetic = {s.id for s in cockpit.sources if s.synthetic}
        self.plausible = {i.id: (i.plausible.min, i.plausible.max) for i in self.indicators.values() if i.plausible}
        self._quality = {(ind, inside): {"nameOfMeasure": "plausibility",
                                         "result": "within range" if inside else "outside range",
                                         "range": list(bounds)}
                         for ind, bounds in self.plausible.items() for inside in (True, False)}
        self.demo_quality = {"nameOfMeasure": "provenance", "result": t("standards.sta.demo", self.lang)}
        self._geometry: dict | None = None
        self._spans: dict | None = None
        self._archived: dict[str, list[int]] | None = None

    # ------------------------------------------------------------------ the root
    def root_document(self) -> dict:
        return {"value": [{"name": name, "url": f"{self.root}/{name}"} for name in SETS],
                "serverSettings": {"conformance": CONFORMANCE}}

    # ------------------------------------------------------------------ path resolution
    def answer(self, path: str, args: dict[str, str]) -> dict | None:
        """The JSON answer of a resource path below /sta/v1.1 (without a leading slash); None for a property
        that is null."""
        options = q.parse_options(args)
        segments = [s for s in path.split("/") if s]
        if not segments:
            raise NotFound(path)
        parsed = []
        for segment in segments:
            match = _SEGMENT.match(segment)
            if match is None:
                raise q.QueryError(f"the path segment {segment[:60]!r} is not '<name>' or '<name>(<id>)'")
            ident = match[2].replace("''", "'") if match[2] is not None else (
                int(match[3]) if match[3] is not None else None)
            parsed.append((match[1], ident))
        name, ident = parsed[0]
        if name not in SETS:
            raise NotFound(name)
        kind, current = name, None
        if ident is not None:
            current = self._entity(kind, ident)
        elif len(parsed) > 1:
            raise q.QueryError(f"{name}: name one entity, e.g. {name}(1), before a navigation property")
        for position, (nav, nav_ident) in enumerate(parsed[1:], start=1):
            last = position == len(parsed) - 1
            if current is None:
                raise q.QueryError(f"{nav}: a property path needs one entity before it")
            if nav in NAVIGATION[kind]:
                target, many = NAVIGATION[kind][nav]
                if many:
                    if nav_ident is not None:
                        found = self._entity(target, nav_ident)
                        if not any(self._key(target, e) == self._key(target, found)
                                   for e in self._related(kind, current, nav, None)):
                            raise NotFound(nav)
                        kind, current = target, found
                        continue
                    if not last:
                        raise q.QueryError(f"{nav}: name one entity before a further path segment")
                    return self._collection(target, options, f"{self.root}/{path.strip('/')}",
                                            scope=(kind, current, nav))
                if nav_ident is not None:
                    raise q.QueryError(f"{nav} is a single entity: no id after it")
                kind, current = target, self._related(kind, current, nav, None)[0]
                continue
            if nav in PROPERTIES[kind] and last and nav_ident is None:
                value = self._plain(kind, current).get(nav) if nav != "selfLink" else self.self_link(kind, current)
                return None if value is None else {nav: value}
            raise NotFound(nav)
        if current is not None:
            if options.given & {"$top", "$skip", "$skiptoken", "$count", "$orderby", "$filter"}:
                raise q.QueryError("$top, $skip, $count, $orderby and $filter apply to collections only")
            return self._serialize(kind, current, options)
        return self._collection(kind, options, f"{self.root}/{path.strip('/')}")

    # ------------------------------------------------------------------ entities
    def _entity(self, kind: str, ident):
        if kind == "Observations":
            if not isinstance(ident, int):
                raise NotFound(ident)
            rows, _ = self.cockpit.store.standard_observations(Role.PUBLIC, ObservationSelection(
                ids=(ident,), every=self._every(), limit=1))
            if not rows:
                raise NotFound(ident)
            return rows[0]
        found = self._static(kind).get(str(ident))
        if found is None:
            raise NotFound(ident)
        return found

    def _static(self, kind: str) -> dict:
        if kind == "Datastreams":
            return self.streams
        if kind in ("Sensors", "ObservedProperties"):
            return self.indicators
        return {CITY: CITY, **{d: d for d in self.districts}}  # Things, Locations, FeaturesOfInterest

    def _key(self, kind: str, entity):
        if kind == "Observations":
            return entity["id"]
        return entity.id if isinstance(entity, Indicator | Stream) else entity

    def _related(self, kind: str, entity, nav: str, options: q.Options | None) -> list:
        """Static related entities of a navigation property (Observations are read in _collection)."""
        if kind in ("Things", "Locations", "FeaturesOfInterest"):
            if nav == "Datastreams":
                return [s for s in self.streams.values() if s.thing == entity]
            return [entity]  # Things <-> Locations: one each, with the same id
        if kind in ("Sensors", "ObservedProperties"):
            return [s for s in self.streams.values() if s.indicator.id == entity.id]
        if kind == "Datastreams":
            return {"Thing": [entity.thing], "Sensor": [entity.indicator],
                    "ObservedProperty": [entity.indicator]}[nav]
        if kind == "Observations":
            stream = self.streams[stream_id(entity["indicator"], entity["district"])]
            return [stream] if nav == "Datastream" else [stream.thing]
        raise NotFound(nav)

    # ------------------------------------------------------------------ collections
    def _collection(self, kind: str, options: q.Options, link: str, scope=None) -> dict:
        if kind == "Observations":
            rows, total = self._observations(options, scope)
            more = len(rows) > options.top
            rows = rows[:options.top]
        else:
            if options.skiptoken is not None:
                raise q.QueryError("$skiptoken pages Observations only")
            items = list(self._static(kind).values()) if scope is None else self._related(*scope, None)
            items = [i for i in items if self._matches(kind, i, options.filter)]
            items = self._sorted(kind, items, options.orderby)
            total = len(items)
            rows = items[options.skip:options.skip + options.top]
            more = options.skip + options.top < total
        result = {}
        if options.count:
            result["@iot.count"] = total
        if more:
            last = rows[-1]["id"] if kind == "Observations" and rows and q.keyset(options) else None
            result["@iot.nextLink"] = self._next_link(link, options, last)
        if kind == "Observations" and scope is not None and scope[0] == "Datastreams":
            archived = self.archived(scope[1])
            if archived is not None:  # raw rows of past years left the database: say where they are
                result["@cockpit.archived"] = archived
        if kind == "Observations" and options.select is None and not options.expand:
            result["value"] = [self._observation_entity(row) for row in rows]  # the common case, kept cheap
        else:
            result["value"] = [self._serialize(kind, row, options) for row in rows]
        return result

    def _observations(self, options: q.Options, scope) -> tuple[list[dict], int | None]:
        streams, everything = list(self.streams.values()), scope is None
        if scope is not None:
            owner_kind, owner, _nav = scope
            streams = ([owner] if owner_kind == "Datastreams" else
                       [s for s in streams if s.thing == owner])  # FeaturesOfInterest
        times, id_bounds, ids = [], [], None
        for condition in options.filter:
            value = condition.value
            if condition.path == "phenomenonTime":
                if not isinstance(value, datetime):
                    raise q.QueryError("$filter: phenomenonTime is compared with a time such as 2026-01-01T00:00:00Z")
                times.append((condition.operator, value))
            elif condition.path == "id":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise q.QueryError("$filter: the id of an Observation is a whole number")
                id_bounds.append((condition.operator, value))
            elif condition.path in ("Datastream/id", "Datastream/@iot.id"):
                if condition.operator not in ("eq", "ne") or not isinstance(value, str):
                    raise q.QueryError("$filter: Datastream/id is compared with eq or ne and a 'quoted' id")
                streams = [s for s in streams if (s.id == value) == (condition.operator == "eq")]
                everything = False
            else:
                raise q.QueryError(f"$filter on Observations supports phenomenonTime, id and Datastream/id, not "
                                   f"{condition.path[:40]!r}")
        order = []
        for name, descending in options.orderby:
            if name not in OBSERVATION_ORDER:
                raise q.QueryError(f"$orderby on Observations supports {', '.join(OBSERVATION_ORDER)}, not {name!r}")
            order.append((name, descending))
        after = None
        if options.skiptoken is not None:
            if not q.keyset(options):
                raise q.QueryError("$skiptoken continues Observations in id order only (follow @iot.nextLink)")
            after = ("lt" if options.orderby and options.orderby[0][1] else "gt", options.skiptoken)
        selection = ObservationSelection(
            streams=None if everything else tuple((s.indicator.id, s.district) for s in streams),
            every=self._every() if everything else None, ids=ids, times=tuple(times),
            id_bounds=tuple(id_bounds), order=tuple(order) or (("id", False),), offset=options.skip,
            limit=options.top + 1, count=options.count, after=after)
        return self.cockpit.store.standard_observations(Role.PUBLIC, selection)

    def _every(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Every Datastream as one condition: public indicators city-wide, district-level ones per district."""
        return (tuple(self.indicators), tuple(i.id for i in self.indicators.values() if i.spatial == "district"),
                tuple(self.districts))

    def _matches(self, kind: str, entity, conditions: list[q.Condition]) -> bool:
        for condition in conditions:
            head, _, key = condition.path.partition("/")
            if key and (head != "properties" or "/" in key):
                raise q.QueryError(f"$filter on {kind} supports its own properties and properties/<key>, not "
                                   f"{condition.path[:40]!r}")
            if head not in PROPERTIES[kind]:
                raise q.QueryError(f"$filter: {kind} have no property {condition.path[:40]!r}")
            actual = self._plain(kind, entity).get(head)
            if key:
                actual = actual.get(key) if isinstance(actual, dict) else None
            if not q.compare(actual, condition.operator, condition.value):
                return False
        return True

    def _sorted(self, kind: str, items: list, orderby: list[tuple[str, bool]]) -> list:
        for name, descending in reversed(orderby):
            if name not in PROPERTIES[kind]:
                raise q.QueryError(f"$orderby: {kind} have no property {name!r}")
            items = sorted(items, key=lambda e: q.sort_key(self._plain(kind, e).get(name)), reverse=descending)
        return items

    def _next_link(self, link: str, options: q.Options, last: int | None = None) -> str:
        """The next page: after the last id (Observations in id order, see `$skiptoken`), else by $skip."""
        if last is not None:
            query = {k: v for k, v in options.raw.items() if k != "$skip"}
            return f"{link}?{urlencode({**query, '$top': str(options.top), '$skiptoken': str(last)})}"
        query = {**options.raw, "$top": str(options.top), "$skip": str(options.skip + options.top)}
        return f"{link}?{urlencode(query)}"

    # ------------------------------------------------------------------ serialization
    def self_link(self, kind: str, entity) -> str:
        key = self._key(kind, entity)
        return f"{self.root}/{kind}({key})" if isinstance(key, int) else f"{self.root}/{kind}('{key}')"

    def _plain(self, kind: str, entity) -> dict:
        """The entity's own properties (no links), keyed by property name ('id' for @iot.id)."""
        return _PLAIN[kind](self, entity)

    def _observation_entity(self, row: dict) -> dict:
        """What `_serialize` gives without $select and $expand (same keys and order), without its generic work."""
        link, plain = f"{self.root}/Observations({row['id']})", _observation(self, row)
        del plain["id"]
        return {"@iot.id": row["id"], "@iot.selfLink": link, **plain, "Datastream@iot.navigationLink":
                f"{link}/Datastream", "FeatureOfInterest@iot.navigationLink": f"{link}/FeatureOfInterest"}

    def _serialize(self, kind: str, entity, options: q.Options) -> dict:
        plain = self._plain(kind, entity)
        wanted = options.select
        if wanted is not None:
            unknown = [w for w in wanted if w not in PROPERTIES[kind] and w not in NAVIGATION[kind]]
            if unknown:
                raise q.QueryError(f"$select: {kind} have no property {unknown[0]!r} (properties: "
                                   f"{', '.join(PROPERTIES[kind])})")
        link = self.self_link(kind, entity)
        result = {}
        if wanted is None or "id" in wanted:
            result["@iot.id"] = plain["id"]
        if wanted is None or "selfLink" in wanted:
            result["@iot.selfLink"] = link
        for name in PROPERTIES[kind][2:]:
            if (wanted is None or name in wanted) and name in plain:
                result[name] = plain[name]
        for nav, (target, many) in NAVIGATION[kind].items():
            if nav in options.expand:
                nested = options.expand[nav]
                if many:
                    page = self._collection(target, nested, f"{link}/{nav}", scope=(kind, entity, nav))
                    result[nav] = page["value"]
                    if "@iot.count" in page:
                        result[f"{nav}@iot.count"] = page["@iot.count"]
                    if "@iot.nextLink" in page:
                        result[f"{nav}@iot.nextLink"] = page["@iot.nextLink"]
                else:
                    result[nav] = self._serialize(target, self._related(kind, entity, nav, None)[0], nested)
            elif wanted is None or nav in wanted:
                result[f"{nav}@iot.navigationLink"] = f"{link}/{nav}"
        for nav in options.expand:
            if nav not in NAVIGATION[kind]:
                raise q.QueryError(f"$expand: {kind} have no navigation property {nav!r} (they have: "
                                   f"{', '.join(NAVIGATION[kind])})")
        return result

    def geometry(self, thing: str) -> dict | None:
        if self._geometry is None:
            self._geometry = {}
            location = geometry_location(self.cockpit)
            if location:
                try:
                    features = load_geometry(location)["features"]
                except GeometryError:
                    features = []
                for feature in features:
                    props = feature.get("properties") or {}
                    key = str(props.get("id", feature.get("id", "")))
                    if key in self.districts and isinstance(feature.get("geometry"), dict):
                        self._geometry[key] = feature["geometry"]
                polygons = [g for g in self._geometry.values() if g.get("type") in ("Polygon", "MultiPolygon")]
                if polygons:
                    self._geometry[CITY] = {"type": "MultiPolygon", "coordinates": [
                        part for g in polygons
                        for part in ([g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"])]}
        return self._geometry.get(thing)

    def span(self, stream: Stream) -> tuple[datetime, datetime] | None:
        if self._spans is None:
            self._spans = self.cockpit.store.stream_spans(
                Role.PUBLIC, [(s.indicator.id, s.district) for s in self.streams.values()])
        return self._spans.get((stream.indicator.id, stream.district))

    def archived(self, stream: Stream) -> dict | None:
        """Where the raw rows of a datastream's archived years are (`cockpit.views.archived.stream_note`)."""
        if self._archived is None:
            self._archived = archived_years(self.cockpit, list(self.indicators))
        years = self._archived.get(stream.indicator.id)
        return stream_note(self.base, stream.indicator.id, stream.district, years) if years else None

    def thing_name(self, thing: str) -> str:
        city = self.cockpit.catalog.city.get(self.lang)
        return city if thing == CITY else self.districts[thing].name


def iso(moment: datetime) -> str:
    """UTC instant as 2026-01-01T00:00:00Z (the store's datetimes are UTC-aware)."""
    return moment.isoformat(timespec="seconds")[:19] + "Z"


def _thing(service: Service, thing: str) -> dict:
    name = service.thing_name(thing)
    catalog = service.cockpit.catalog
    properties = {"type": "city" if thing == CITY else "district"}
    if thing != CITY:
        properties["population"] = service.districts[thing].population
        properties["partOf"] = f"{service.root}/Things('{CITY}')"
    else:
        properties["population"] = catalog.population
    return {"id": thing, "name": name, "description": t("standards.sta.city" if thing == CITY else "standards.sta.district",
                                                             service.lang, name=name), "properties": properties}


def _location(service: Service, thing: str) -> dict:
    name = service.thing_name(thing)
    return {"id": thing, "name": name, "description": t("standards.sta.area", service.lang, name=name), "encodingType": "application/geo+json",
            "location": service.geometry(thing), "properties": {"schematic": thing != CITY and _schematic(service)}}


def _schematic(service: Service) -> bool:
    location = geometry_location(service.cockpit)
    try:
        return bool(location and load_geometry(location).get("schematic"))
    except GeometryError:
        return False


def _feature(service: Service, thing: str) -> dict:
    location = _location(service, thing)
    return {"id": thing, "name": location["name"], "description": location["description"],
            "encodingType": "application/geo+json", "feature": location["location"],
            "properties": location["properties"]}


def _sensor(service: Service, ind: Indicator) -> dict:
    return {"id": ind.id, "name": ind.source.name, "description": f"{ind.source.name}: {ind.name.get(service.lang)}",
            "encodingType": "text/html", "metadata": ind.source.url or "",
            "properties": {"licence": ind.source.licence, "attribution": ind.source.attribution}}


def _observed_property(service: Service, ind: Indicator) -> dict:
    base = service.root.removesuffix(VERSION_PATH)
    return {"id": ind.id, "name": ind.name.get(service.lang), "definition": f"{base}/api/v1/indicators/{ind.id}",
            "description": ind.description.get(service.lang),
            "properties": {"name_en": ind.name.en, "domain": ind.domain}}


def _datastream(service: Service, stream: Stream) -> dict:
    ind = stream.indicator
    place = service.thing_name(stream.thing)
    result = {
        "id": stream.id, "name": f"{ind.name.get(service.lang)} – {place}",
        "description": ind.description.get(service.lang),
        "unitOfMeasurement": {"name": ind.unit.get(service.lang), "symbol": ind.unit.get(service.lang),
                              "definition": ""},
        "observationType": OM_MEASUREMENT,
        "properties": {"indicator": ind.id, "district": stream.district or None, "aggregation": ind.aggregation,
                       "rhythm": str(ind.rhythm), "licence": ind.source.licence,
                       "attribution": ind.source.attribution, "source": ind.source.name,
                       "sourceUrl": ind.source.url},
    }
    archived = service.archived(stream)
    if archived is not None:
        result["properties"]["archived"] = archived
    area = service.geometry(stream.thing)
    if area is not None:
        result["observedArea"] = area
    span = service.span(stream)
    if span is not None:
        result["phenomenonTime"] = f"{iso(span[0])}/{iso(span[1])}"
    return result


def _observation(service: Service, row: dict) -> dict:
    start, end = row["period_start"], row["period_end"]
    value = row["value"]
    quality = []
    bounds = service.plausible.get(row["indicator"])
    if bounds is not None:
        quality.append(service._quality[(row["indicator"], bounds[0] <= value <= bounds[1])])
    if row["source_id"] in service.synthetic:
        quality.append(service.demo_quality)
    result = {"id": row["id"], "phenomenonTime": iso(start) if end is None else f"{iso(start)}/{iso(end)}",
              "resultTime": None, "result": value}
    if quality:
        result["resultQuality"] = quality
    return result


_PLAIN = {
    "Things": _thing, "Locations": _location, "FeaturesOfInterest": _feature, "Sensors": _sensor,
    "ObservedProperties": _observed_property, "Datastreams": _datastream, "Observations": _observation,
}
