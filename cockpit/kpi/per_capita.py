"""Per 1,000 inhabitants: the one rule for every screen, export and API that relates a value to the population.

A unit may carry a scale ("Mio. Fahrgäste", "Tsd. t", "GWh"): the stored value times the unit's `factor` is the
value in the unit's `base` ("Fahrgäste", "t", "MWh"). A total (`count`) per 1,000 inhabitants is then

    value × factor ÷ population × 1000        in "<base> je 1.000 Einw." / "<base> per 1,000 inhabitants"

so 1,45 Mio. passengers a month in a city of 93.000 are about 15.600 passengers per 1,000 inhabitants, not 0,016.
Values stored per inhabitant ("t je Einw.") are multiplied by 1000, values stored per 1,000 inhabitants are taken
as they are; shares and means ("%", aggregation `mean`) are not related to the population at all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from cockpit.catalog.models import Indicator

PER1000, PER_INHABITANT, COUNT = "per1000", "per_inhabitant", "count"

# leading scale words (German and English spelling of the catalog's units)
_SCALE_WORDS = {
    "tsd.": 1e3, "tsd": 1e3, "tausend": 1e3, "thousand": 1e3,
    "mio.": 1e6, "mio": 1e6, "million": 1e6, "millionen": 1e6, "millions": 1e6,
    "mrd.": 1e9, "mrd": 1e9, "milliarden": 1e9, "billion": 1e9, "billions": 1e9,
}
# SI-prefixed units: the unit -> (factor, the unit the per-1,000 value is given in)
_PREFIXED = {
    "Wh": (1.0, "Wh"), "kWh": (1.0, "kWh"), "MWh": (1.0, "MWh"), "GWh": (1e3, "MWh"), "TWh": (1e6, "MWh"),
    "W": (1.0, "W"), "kW": (1.0, "kW"), "MW": (1.0, "MW"), "GW": (1e3, "MW"),
    "t": (1.0, "t"), "kt": (1e3, "t"), "Mt": (1e6, "t"),
    "kg": (1.0, "kg"),
}
_PER_1000 = re.compile(r"\b(je|per)\s+1[.,]?000\b", re.IGNORECASE)
_PER_ONE = re.compile(r"\b(je|per)\s+(Einw\.?|Einwohner\w*|inhabitant\w*|capita)", re.IGNORECASE)


@dataclass(frozen=True)
class UnitScale:
    """A unit split into its scale and what is counted: stored value × `factor` = value in `base`."""

    factor: float
    base: str  # the unit without its scale ("" when the unit is only a scale word)


@lru_cache(maxsize=512)
def unit_scale(unit: str) -> UnitScale:
    """'Mio. Fahrgäste' -> (1e6, 'Fahrgäste'), 'million passengers' -> (1e6, 'passengers'), 'GWh' -> (1000, 'MWh'),
    'Tsd. t' -> (1000, 't'), 'Räder' -> (1, 'Räder')."""
    words = unit.split()
    factor = 1.0
    while words and words[0].casefold() in _SCALE_WORDS:
        factor *= _SCALE_WORDS[words.pop(0).casefold()]
    if words and words[0] in _PREFIXED:
        own, base = _PREFIXED[words[0]]
        factor *= own
        words[0] = base
    return UnitScale(factor, " ".join(words))


def capita_kind(indicator: Indicator) -> str | None:
    """How an indicator relates to the population: PER1000 / PER_INHABITANT (stored per capita), COUNT (a total
    that may be divided by the inhabitants), None (shares, means: no normalisation)."""
    unit = indicator.unit.de
    if _PER_1000.search(unit):
        return PER1000
    if _PER_ONE.search(unit):
        return PER_INHABITANT
    if unit.strip() == "%" or indicator.aggregation == "mean":
        return None
    return COUNT


def normalisable(indicator: Indicator) -> bool:
    """A total that the explorer may show per 1,000 inhabitants."""
    return capita_kind(indicator) == COUNT


def per1000_factor(indicator: Indicator, population: int | None) -> float | None:
    """The factor that turns a stored value into the value per 1,000 inhabitants (None without a population or
    for indicators that are not related to it)."""
    kind = capita_kind(indicator)
    if kind == PER1000:
        return 1.0
    if kind == PER_INHABITANT:
        return 1000.0
    if kind == COUNT and population:
        return unit_scale(indicator.unit.de).factor * 1000.0 / population
    return None


def per1000(value: float | None, indicator: Indicator, population: int | None) -> float | None:
    """The stored `value` per 1,000 inhabitants of a place with `population` (see the module doc)."""
    factor = per1000_factor(indicator, population)
    if value is None or factor is None or not math.isfinite(value):
        return None
    return value * factor


def absolute(value: float | None, indicator: Indicator, population: int | None) -> float | None:
    """The total behind a stored value: as stored for totals, times the inhabitants (÷ 1000) for per-capita
    values (in the per-capita unit's own base, e.g. t for 't je Einw.')."""
    if value is None or not math.isfinite(value):
        return None
    kind = capita_kind(indicator)
    if kind == PER1000:
        return value * population / 1000 if population else None
    if kind == PER_INHABITANT:
        return value * population if population else None
    return value


def per1000_unit(indicator: Indicator, lang: str) -> str:
    """The unit of the per-1,000 values, naming what is counted and its scale: 'Fahrgäste je 1.000 Einw.',
    'MWh per 1,000 inhabitants', 't je 1.000 Einw.' (for 't je Einw.')."""
    kind = capita_kind(indicator)
    unit = indicator.unit.get(lang)
    if kind in (PER1000, None):
        return unit
    base = _PER_ONE.split(unit)[0].strip() if kind == PER_INHABITANT else unit_scale(unit).base
    suffix = "je 1.000 Einw." if lang == "de" else "per 1,000 inhabitants"
    return f"{base} {suffix}".strip()


def per1000_decimals(indicator: Indicator) -> int:
    """Decimal places of per-1,000 values: three fewer than the stored value's for per-inhabitant values
    (x 1000), and for totals two more (÷ about 100 for a city) less the digits the unit's scale adds
    (1,45 Mio. -> 15.600, not 15.600,0000)."""
    kind = capita_kind(indicator)
    if kind in (PER1000, None):
        return indicator.decimals
    if kind == PER_INHABITANT:
        return max(indicator.decimals - 3, 0)
    shift = round(math.log10(unit_scale(indicator.unit.de).factor))
    return max(indicator.decimals + 2 - shift, 0)
