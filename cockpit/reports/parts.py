"""The parts a report's content is made of: tables, line charts and optional sections (shared by the content
model and the section hooks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    id: str  # 'goal-co2-halve-2030'
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """A line chart with up to three series: for a goal the annual values, the target path (baseline, milestones,
    target) and the trend to the target year; for the climate pathway the balance, the target path and the plan.
    `alt` is the alternative text, made from the same sentences as the text beside it."""

    title: str
    unit: str
    decimals: int
    values: tuple[tuple[int, float], ...]
    path: tuple[tuple[int, float], ...]
    trend: tuple[tuple[int, float], ...]  # () without a forecast
    alt: str
    labels: dict[str, str]  # values | path | trend -> legend text
    table: Table


@dataclass(frozen=True)
class Section:
    """An optional section from a hook (e.g. the climate pathway): a title, paragraphs, tables shown in the section
    and charts (drawn in the section; their tables go to the appendix)."""

    id: str
    title: str
    paragraphs: tuple[str, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class CommentEntry:
    """A department's comment on a goal or a measure, printed with the office's name (never a person's)."""

    kind: str  # goal | measure
    item_id: str
    item_name: str
    office: str
    text: str
