"""Typed catalog entries: visions, fields of action, indicators, goals and districts."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator

from cockpit.catalog.duration import Duration
from cockpit.roles import may_see, visible_levels

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


def _to_duration(value):
    return value if isinstance(value, Duration) else Duration.parse(value)


IsoDuration = Annotated[Duration, BeforeValidator(_to_duration), PlainSerializer(str)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Text(_Strict):
    """A user-facing text in German and English."""

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.de


def _text(value):
    """Accept a plain string for texts that read the same in both languages (units such as '%')."""
    return {"de": value, "en": value} if isinstance(value, str) else value


LocalText = Annotated[Text, BeforeValidator(_text)]


class SourceRef(_Strict):
    name: str = Field(min_length=1)
    url: str | None = None
    licence: str = Field(min_length=1)
    attribution: str = Field(min_length=1)
    lang: Literal["de", "en"] = "de"  # the language of name, licence and attribution (proper names, not translated)


class Range(_Strict):
    min: float
    max: float


class Department(_Strict):
    """An office of the city administration that owns indicators (and measures)."""

    id: Slug
    name: Text


class Indicator(_Strict):
    id: Slug
    name: Text
    description: Text
    domain: Literal["energy", "mobility", "waste"]
    unit: LocalText
    aggregation: Literal["sum", "mean", "last"]
    rhythm: IsoDuration
    # How long after a period ends its value is normally published (default: the rhythm); `grace` is the
    # deprecated name of the same key (check-config warns about it).
    publication_lag: IsoDuration | None = None
    grace: IsoDuration | None = None
    visibility: Literal["public", "internal", "department"]
    department: LocalText
    owner: str | None = None  # id of the owning department (catalog `departments`)
    source: SourceRef
    spatial: Literal["city", "district"] = "city"
    plausible: Range | None = None
    decimals: int = Field(default=1, ge=0, le=4)
    embeddable: bool = True  # false: never shown on /embed/... routes (public pages and open data keep it)
    # EU high-value-dataset category (Implementing Regulation (EU) 2023/138) if the dataset is one; the DCAT
    # catalogue then names the regulation and the category (see docs/standards.md)
    hvd_category: Literal["geospatial", "earth-observation-environment", "meteorological", "statistics",
                          "companies", "mobility"] | None = None
    # Years of raw sub-daily rows kept in the database (default: the catalog's `retention_raw_years`; none =
    # forever); older whole years are archived to Parquet and dropped (`run.py archive`, docs/operations.md)
    retention_raw_years: int | None = Field(default=None, ge=1, le=100)

    @property
    def lag(self) -> Duration:
        """The publication lag: `publication_lag`, else the deprecated `grace`, else the rhythm."""
        return self.publication_lag or self.grace or self.rhythm

    @property
    def grace_period(self) -> Duration:
        """Deprecated name of `lag`."""
        return self.lag


class YearValue(_Strict):
    year: int = Field(ge=1900, le=2100)
    value: float


class Goal(_Strict):
    id: Slug
    indicator: str
    direction: Literal["decrease", "increase"]
    baseline: YearValue
    milestones: list[YearValue] = Field(default_factory=list)
    target: YearValue
    tolerance: float = Field(default=0.10, ge=0, le=1)
    trend_window: int = Field(default=5, ge=3, le=50)  # a forecast needs at least 3 points
    source: LocalText  # the legal or political basis of the figures, in German and English
    field: str
    name: LocalText | None = None

    @property
    def path_points(self) -> list[YearValue]:
        return [self.baseline, *self.milestones, self.target]


class Vision(_Strict):
    id: Slug
    name: Text


class ActionField(_Strict):
    """A field of action (Handlungsfeld) below a vision."""

    id: Slug
    name: Text
    vision: str
    dimension: Literal["ecological", "social", "economic"]


class District(_Strict):
    id: Slug
    name: str = Field(min_length=1)
    postcodes: list[str] = Field(default_factory=list)
    population: int | None = Field(default=None, ge=0)

    @field_validator("postcodes", mode="before")
    @classmethod
    def _as_strings(cls, value):
        return [str(v) for v in value] if isinstance(value, list) else value


class Catalog(_Strict):
    city: LocalText
    population: int = Field(ge=1)
    visions: list[Vision] = Field(default_factory=list)
    fields: list[ActionField] = Field(default_factory=list)
    districts: list[District] = Field(default_factory=list)
    departments: list[Department] = Field(default_factory=list)
    indicators: list[Indicator]
    goals: list[Goal] = Field(default_factory=list)
    district_geometry: str | None = None  # GeoJSON file (relative to the catalog) or OGC API Features/WFS URL
    # The default retention of raw sub-daily rows in years (None = forever), see Indicator.retention_raw_years
    retention_raw_years: int | None = Field(default=None, ge=1, le=100)

    def indicator(self, indicator_id: str) -> Indicator:
        return self.indicator_map[indicator_id]

    # Lookups are built once per (frozen) catalog: validation asks them for every record.
    _CACHED: ClassVar[tuple[str, ...]] = ("indicator_map", "district_ids")

    @cached_property
    def indicator_map(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def district_ids(self) -> frozenset[str]:
        return frozenset(d.id for d in self.districts)

    def model_copy(self, *, update=None, deep: bool = False) -> Catalog:
        copy = super().model_copy(update=update, deep=deep)
        for name in self._CACHED:
            copy.__dict__.pop(name, None)  # rebuilt from the copy's own lists
        return copy

    def deprecations(self) -> list[str]:
        """Warnings about deprecated keys (the catalog still loads), naming entry and field."""
        return [
            f"indicators[{index}] (id '{ind.id}'): field 'grace' is deprecated, rename it to 'publication_lag' "
            "(how long after a period ends its value is normally published)"
            for index, ind in enumerate(self.indicators) if ind.grace is not None
        ]

    def raw_retention(self, indicator: Indicator) -> int | None:
        """Years of raw rows the database keeps for a sub-daily indicator (its own value, else the catalog's
        default); None for daily and longer rhythms (their rows are kept) and where no retention is set."""
        if indicator.rhythm.approx_seconds() >= 86400:
            return None
        return indicator.retention_raw_years or self.retention_raw_years

    def goals_for(self, indicator_id: str) -> list[Goal]:
        return [g for g in self.goals if g.indicator == indicator_id]

    def visible_indicators(self, role) -> list[Indicator]:
        levels = visible_levels(role)
        return [i for i in self.indicators if may_see(levels, i.visibility, i.owner)]
