"""OData query options of the SensorThings API subset (`$top`, `$skip`, `$count`, `$orderby`, `$select`,
`$expand`, `$filter`): parsed strictly into plain values. A malformed or unsupported option is a QueryError
naming the option and what is allowed (HTTP 400), never a server error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

DEFAULT_TOP = 100
MAX_TOP = 1000  # larger requests are cut to this and continue by @iot.nextLink (as FROST's maxTop)
MAX_SKIP = 10_000_000
MAX_EXPAND_DEPTH = 2
OPTIONS = ("$top", "$skip", "$count", "$orderby", "$select", "$expand", "$filter", "$skiptoken")
# $skiptoken: OData's server-driven paging token; in @iot.nextLink of Observations in id order it holds the
# last id of the page, so the next page starts there through the primary key instead of skipping rows
OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le")
_CLAUSE = re.compile(r"^\s*([A-Za-z@][\w@./]*)\s+(eq|ne|gt|ge|lt|le)\s+(.+?)\s*$", re.IGNORECASE)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_NAME = re.compile(r"^[A-Za-z@][\w@.]*$")


UNSUPPORTED = ("$resultFormat", "$search", "$apply", "$format", "$levels", "$compute", "$index", "$schemaversion")


class QueryError(ValueError):
    """A malformed request (query option or resource path); the message says what is wrong."""


class NotImplementedOption(QueryError):
    """A system query option of OData/SensorThings this service does not implement (HTTP 501, as the
    specification's request-data/query-status-code requires)."""


@dataclass(frozen=True)
class Condition:
    path: str  # 'id', 'phenomenonTime', 'Datastream/id' or a property name
    operator: str  # one of OPERATORS
    value: object  # str, int, float, bool or an aware datetime


@dataclass
class Options:
    top: int = DEFAULT_TOP
    skip: int = 0
    skiptoken: int | None = None  # Observations in id order: continue after (before, descending) this id
    count: bool = False
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    select: list[str] | None = None
    expand: dict[str, Options] = field(default_factory=dict)
    filter: list[Condition] = field(default_factory=list)
    given: frozenset[str] = frozenset()  # which options the request named
    raw: dict[str, str] = field(default_factory=dict)  # as given (for @iot.nextLink)


def parse_options(args: Mapping[str, str], depth: int = 0) -> Options:
    """The options of one request (or of one $expand item); unknown `$` options and other parameters are errors."""
    for name in args:
        if name in UNSUPPORTED:
            raise NotImplementedOption(f"the query option {name} is not implemented (supported: "
                                       f"{', '.join(OPTIONS)})")
        if name not in OPTIONS:
            raise QueryError(f"unsupported query option {name[:40]!r} (supported: {', '.join(OPTIONS)})")
    options = Options(given=frozenset(args), raw=dict(args))
    if "$top" in args:
        options.top = min(_integer("$top", args["$top"], 0, 10**9), MAX_TOP)
    if "$skip" in args:
        options.skip = _integer("$skip", args["$skip"], 0, MAX_SKIP)
    if "$skiptoken" in args:
        options.skiptoken = _integer("$skiptoken", args["$skiptoken"], 0, 10**18)
    if "$count" in args:
        value = args["$count"].strip().lower()
        if value not in ("true", "false"):
            raise QueryError(f"$count must be true or false, not {args['$count'][:40]!r}")
        options.count = value == "true"
    if "$orderby" in args:
        options.orderby = _orderby(args["$orderby"])
    if "$select" in args:
        options.select = [_property("$select", part) for part in _split(args["$select"], ",", "$select")]
    if "$expand" in args:
        if depth >= MAX_EXPAND_DEPTH:
            raise QueryError(f"$expand may be nested at most {MAX_EXPAND_DEPTH} levels deep")
        options.expand = _expand(args["$expand"], depth)
    if "$filter" in args:
        options.filter = parse_filter(args["$filter"])
    return options


def _integer(name: str, text: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\s*\d{1,12}\s*", text or ""):
        raise QueryError(f"{name} must be a whole number >= {low}, not {text[:40]!r}")
    value = int(text)
    if value > high:
        raise QueryError(f"{name} must be at most {high}")
    return value


def _property(option: str, text: str) -> str:
    name = text.strip()
    if not _NAME.fullmatch(name):
        raise QueryError(f"{option}: {name[:40]!r} is not a property name")
    return "id" if name == "@iot.id" else name


def _split(text: str, separator: str, option: str) -> list[str]:
    """Split at `separator` outside parentheses; unbalanced parentheses are an error."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise QueryError(f"{option}: unbalanced parentheses in {text[:80]!r}")
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth != 0:
        raise QueryError(f"{option}: unbalanced parentheses in {text[:80]!r}")
    parts.append(current)
    if any(not part.strip() for part in parts):
        raise QueryError(f"{option}: empty item in {text[:80]!r}")
    return parts


def _orderby(text: str) -> list[tuple[str, bool]]:
    result = []
    for part in _split(text, ",", "$orderby"):
        words = part.split()
        if len(words) not in (1, 2) or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise QueryError(f"$orderby: {part.strip()[:60]!r} is not '<property> [asc|desc]'")
        result.append((_property("$orderby", words[0]), len(words) == 2 and words[1].lower() == "desc"))
    return result


def _expand(text: str, depth: int) -> dict[str, Options]:
    result = {}
    for part in _split(text, ",", "$expand"):
        item = part.strip()
        name, _, rest = item.partition("(")
        name = name.strip()
        if "/" in name:  # a path (Datastreams/Observations) = nested $expand, as the Masterportal sends it
            head, _, tail = name.partition("/")
            if not _NAME.fullmatch(head.strip()):
                raise QueryError(f"$expand: {item[:60]!r} is not a navigation property")
            inner = parse_options({"$expand": tail + (f"({rest}" if rest else "")}, depth + 1)
            outer = result.setdefault(head.strip(), Options(given=frozenset()))
            outer.expand.update(inner.expand)
            continue
        if not _NAME.fullmatch(name):
            raise QueryError(f"$expand: {item[:60]!r} is not a navigation property")
        nested: dict[str, str] = {}
        if rest:
            if not rest.endswith(")"):
                raise QueryError(f"$expand: {item[:60]!r}: options must be in parentheses")
            for option in _split(rest[:-1], ";", "$expand"):
                key, equals, value = option.strip().partition("=")
                if not equals:
                    raise QueryError(f"$expand: {option.strip()[:60]!r} is not '<option>=<value>'")
                if key.strip() in nested:
                    raise QueryError(f"$expand: {key.strip()} given twice for {name}")
                nested[key.strip()] = value
        if name in result and result[name].given:
            raise QueryError(f"$expand: {name} given twice")
        parsed = parse_options(nested, depth + 1)
        if name in result:  # named before by a path: keep what the path expands
            parsed.expand = {**result[name].expand, **parsed.expand}
        result[name] = parsed
    return result


def parse_filter(text: str) -> list[Condition]:
    """Comparisons joined by `and`: `<property> <eq|ne|gt|ge|lt|le> <literal>`; literals are ISO 8601 times with
    a zone, numbers, 'quoted strings' (a doubled '' is a quote), true or false."""
    if re.search(r"(^|\s)(or|not)(\s|$)|[()]", _without_strings(text), re.IGNORECASE):
        raise QueryError("$filter: only comparisons joined by 'and' are supported (no or, not, functions or "
                         "parentheses)")
    conditions = []
    for clause in _and_split(text):
        match = _CLAUSE.match(clause)
        if match is None:
            raise QueryError(f"$filter: {clause.strip()[:80]!r} is not '<property> <{'|'.join(OPERATORS)}> <value>'")
        path = match[1].replace("@iot.id", "id")
        conditions.append(Condition(path, match[2].lower(), _literal(match[3])))
    return conditions


def _without_strings(text: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", text)


def _and_split(text: str) -> list[str]:
    parts, current, index = [], "", 0
    masked = _without_strings(text)
    if len(masked) != len(text):  # strings were shortened: split the original by walking it
        in_string = False
        while index < len(text):
            char = text[index]
            if char == "'":
                in_string = not in_string
            if not in_string and re.match(r"\s+and\s+", text[index:], re.IGNORECASE):
                match = re.match(r"\s+and\s+", text[index:], re.IGNORECASE)
                parts.append(current)
                current = ""
                index += match.end()
                continue
            current += char
            index += 1
        parts.append(current)
    else:
        parts = re.split(r"\s+and\s+", text, flags=re.IGNORECASE)
    if any(not part.strip() for part in parts):
        raise QueryError("$filter: empty comparison")
    return parts


def _literal(text: str):
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+ \d{2}:\d{2}", text):
        text = text.replace(" ", "+")  # an unencoded '+' of the zone arrives as a space
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if _DATETIME.fullmatch(text):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            raise QueryError(f"$filter: {text!r} is not a valid time") from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+", text):
        raise QueryError(f"$filter: the time {text!r} needs a zone (Z or +01:00)")
    if _NUMBER.fullmatch(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise QueryError(f"$filter: {text[:60]!r} is not a literal (a time such as 2026-01-01T00:00:00Z, a number, "
                     "'text', true or false)")


def compare(actual, operator: str, expected) -> bool:
    """`actual <operator> expected` as $filter means it (values of different types never match an order)."""
    if operator == "eq":
        return actual == expected
    if operator == "ne":
        return actual != expected
    try:
        return {"gt": actual > expected, "ge": actual >= expected, "lt": actual < expected,
                "le": actual <= expected}[operator]
    except TypeError:
        return False


def sort_key(value):
    """$orderby of mixed values: numbers by value, other values as text, missing ones last."""
    return (value is None, str(value) if not isinstance(value, int | float) else "", value
            if isinstance(value, int | float) else 0)


def keyset(options: Options) -> bool:
    """Observations ordered by id alone (the default) page by the last id ($skiptoken) instead of $skip."""
    return not options.orderby or (len(options.orderby) == 1 and options.orderby[0][0] == "id")
