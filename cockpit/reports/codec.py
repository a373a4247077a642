"""A report's content as JSON and back (a pending report keeps its content so that publishing renders the same
report again, now with the departments' comments, whatever the data did in between)."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date
from functools import cache

from cockpit.reports.model import ReportContent


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_to_json(content: ReportContent) -> str:
    return json.dumps(_plain(content), ensure_ascii=False)


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _build(kind, value):
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return None if value is None else _build(options[0], value)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)})
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
    if origin is dict:
        key, item = typing.get_args(kind)
        return {_build(key, k): _build(item, v) for k, v in value.items()}
    if kind is date:
        return date.fromisoformat(value)
    if kind is float:
        return float(value)
    return value


def content_from_json(text: str) -> ReportContent:
    return _build(ReportContent, json.loads(text))
