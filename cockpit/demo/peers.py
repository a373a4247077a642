"""Demo peer comparison: SDG-Portal exports (the CSV format of cockpit/sources/sdg_portal.py, one file per
indicator) generated from a fixed seed when the comparison is loaded, instead of stored near-identical files.

The city's own values are the published figures named in data/peers/peers.yaml (`published`); every other
municipality gets synthetic values: the city's latest published value times a factor drawn per municipality and
indicator, grown back and forth by the indicator's yearly `growth`. The source note says "Demodaten"."""

from __future__ import annotations

import csv
import io
import random

from cockpit.i18n import format_number

DEMO_SOURCE = "Quelle: Demodaten (synthetisch erzeugt, cockpit/demo/peers.py), keine Daten des SDG-Portals"
NOTES = ('k.A. = keine Angaben bei fehlender Verfügbarkeit', DEMO_SOURCE,
         "Datenlizenz Deutschland - Namensnennung - Version 2.0\nhttps://www.govdata.de/dl-de/by-2-0")


def export_text(indicator: str, unit: str, selection: str, years: list[int],
                rows: list[tuple[dict, dict[int, float | None]]]) -> str:
    """One export in the published layout: indicator, selection, empty line, header with one column per year
    ("2023\\n<indicator> (<unit>)"), one record per municipality, empty line, notes."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerows([[indicator], [selection], []])
    writer.writerow(["Kommune", "GKZ", "ARS", "Bundesland", "Demografietyp",
                     *(f"{year}\n{indicator} ({unit})" for year in years)])
    for municipality, values in rows:
        cells = [format_number(values[y], 2, "de") if values.get(y) is not None else "k.A." for y in years]
        ags = municipality["ags"]
        writer.writerow([municipality["name"], ags, ags + "0000", municipality.get("state", ""),
                         municipality.get("type", ""), *cells])
    writer.writerow([])
    writer.writerows([[note] for note in NOTES])
    return out.getvalue()


def demo_exports(config: dict) -> dict[str, str]:
    """File name -> export text for every mapped indicator with `demo` settings in peers.yaml."""
    demo = config.get("demo") or {}
    first, last = demo.get("years", [2015, 2023])
    years = list(range(int(first), int(last) + 1))
    city = str(config.get("city", ""))
    exports = {}
    for mapping in config.get("indicators", []):
        settings = mapping.get("demo")
        if not settings:
            continue
        published = {int(y): float(v) for y, v in (settings.get("published") or {}).items()}
        anchor_year = max(published) if published else last
        anchor = published.get(anchor_year, 1.0)
        growth = float(settings.get("growth", 0.0))
        rows = []
        for municipality in demo.get("municipalities", []):
            if str(municipality["ags"]) == city:
                values: dict[int, float | None] = {y: published.get(y) for y in years}
            else:
                rng = random.Random(f"{demo.get('seed', 0)}:{municipality['ags']}:{mapping['portal']}")
                factor = rng.uniform(0.55, 1.7)
                values = {y: round(max(anchor * factor * (1 + growth) ** (y - anchor_year), 0.0), 2)
                          for y in years}
            rows.append((municipality, values))
        name = f"{mapping['portal']}+demo+{first}-{last}+tabelle.csv"
        exports[name] = export_text(mapping["portal"], settings.get("unit", ""), demo.get("selection", ""),
                                    years, rows)
    return exports
