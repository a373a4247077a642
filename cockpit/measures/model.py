"""Measures (Maßnahmen): typed records with links to goals and indicators, milestones and the sustainability check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cockpit.catalog.models import IsoDuration, Slug, Text
from cockpit.roles import Role, Viewer

STATUSES = ("planned", "in_progress", "completed", "postponed", "cancelled")
DIMENSIONS = ("ecological", "social", "economic")
ASSESSMENTS = ("positive", "neutral", "negative")
MeasureStatus = Literal["planned", "in_progress", "completed", "postponed", "cancelled"]
Dimension = Literal["ecological", "social", "economic"]
Assessment = Literal["positive", "neutral", "negative"]
DEFAULT_RHYTHM = "P3M"  # quarterly progress reports


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Effect(_Strict):
    """An expected quantified effect on the linked indicator, in the indicator's unit, from a year on."""

    value: float
    from_year: int = Field(ge=1990, le=2100)


class Link(_Strict):
    """A measure backs a goal or an indicator; `direction` is the expected direction of its effect."""

    goal: Slug | None = None
    indicator: Slug | None = None
    direction: Literal["decrease", "increase"]
    effect: Effect | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Link:
        if (self.goal is None) == (self.indicator is None):
            raise ValueError("a link names exactly one of 'goal' or 'indicator'")
        return self

    @property
    def kind(self) -> str:
        return "goal" if self.goal else "indicator"

    @property
    def target(self) -> str:
        return self.goal or self.indicator or ""


class EmissionEffect(_Strict):
    """An expected emission reduction in one balance sector: t CO2e per year at full effect (pathway rules)."""

    sector: Literal["households", "commerce", "industry", "municipal", "transport"]
    reduction_t: float = Field(ge=0)
    start_year: int = Field(ge=1990, le=2100)
    full_year: int = Field(ge=1990, le=2100)
    end_year: int | None = Field(default=None, ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> EmissionEffect:
        if self.full_year < self.start_year:
            raise ValueError("'full_year' is before 'start_year'")
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError("'end_year' is before 'start_year'")
        return self


class Cost(_Strict):
    """What a measure costs the city: once and per year, in EUR."""

    one_off_eur: float = Field(default=0, ge=0)
    per_year_eur: float = Field(default=0, ge=0)


class Milestone(_Strict):
    id: Slug
    name: Text
    due: date
    reached: date | None = None


class Check(_Strict):
    """One dimension of the sustainability check: an assessment and a one-sentence justification."""

    assessment: Assessment
    justification: Text


class Measure(_Strict):
    id: Slug
    name: Text
    description: Text
    field: Slug  # field of action (catalog `fields`)
    department: Slug  # owning department (catalog `departments`)
    contact: str | None = None
    status: MeasureStatus = "planned"
    start: date | None = None
    end: date | None = None
    links: list[Link] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    budget_eur: float | None = Field(default=None, ge=0)
    visibility: Literal["public", "internal"] = "public"
    reporting: IsoDuration = Field(default=DEFAULT_RHYTHM, validate_default=True)  # rhythm of progress reports
    check: dict[Dimension, Check] = Field(default_factory=dict)
    demo: bool = False
    effects: list[EmissionEffect] = Field(default_factory=list)  # expected emission reductions (pathway)
    cost: Cost | None = None
    created_at: datetime | None = None  # set by the store when the measure is first imported

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        if self.start and self.end and self.end < self.start:
            raise ValueError("'end' is before 'start'")
        seen = set()
        for milestone in self.milestones:
            if milestone.id in seen:
                raise ValueError(f"milestone id {milestone.id!r} is used twice")
            seen.add(milestone.id)
        return self

    @property
    def check_complete(self) -> bool:
        """All three dimensions assessed, each with a justification."""
        return all(d in self.check for d in DIMENSIONS)

    @property
    def goal_ids(self) -> list[str]:
        return [link.goal for link in self.links if link.goal]

    @property
    def indicator_ids(self) -> list[str]:
        return [link.indicator for link in self.links if link.indicator]

    def milestone(self, milestone_id: str) -> Milestone:
        return next(m for m in self.milestones if m.id == milestone_id)


class Report(_Strict):
    """A progress report: dated, who, status, percent complete or a milestone reached, a short text."""

    id: int | None = None
    measure_id: Slug
    reported_at: datetime
    author: str = Field(min_length=1, max_length=120)
    status: MeasureStatus
    percent: int | None = Field(default=None, ge=0, le=100)
    milestone: Slug | None = None
    text: str = Field(default="", max_length=1000)


def can_report(viewer: Viewer, measure: Measure) -> bool:
    """Staff of the owning department and admins may report progress; nobody else (public never)."""
    if viewer.role == Role.ADMIN:
        return True
    return viewer.role == Role.INTERNAL and bool(viewer.department) and viewer.department == measure.department
