"""The shipped demo payloads are exactly what the committed, deterministic generator writes."""

from __future__ import annotations

import filecmp
import subprocess
import sys

from cockpit import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "data" / "samples" / "demo"


def _files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_generator_reproduces_the_shipped_demo_payloads(tmp_path):
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "make_samples.py"), "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _files(tmp_path) == _files(SHIPPED)
    different = [str(f) for f in _files(SHIPPED) if not filecmp.cmp(SHIPPED / f, tmp_path / f, shallow=False)]
    assert different == []


def test_the_running_demo_is_generated_for_today_deterministically(tmp_path):
    """Same day -> same bytes; sub-annual series end yesterday, annual ones with the last published year."""
    from datetime import date

    from cockpit.catalog import load_catalog
    from cockpit.demo import calendar_for, generate, prepare

    catalog = load_catalog(PROJECT_ROOT / "data" / "catalog.yaml")
    calendar = calendar_for(catalog, date(2027, 3, 15))
    assert calendar.end == date(2027, 3, 14)
    # CO2 balance P18M: 2025 is due on 1 Jul 2027; capacity P3M: 2026 due on 1 Apr 2027; vehicle stock P3M
    assert calendar.last_year == {"co2": 2024, "energy": 2024, "capacity": 2025, "vehicles": 2025}
    assert calendar.last_month == date(2027, 2, 1)

    first, second = prepare(catalog, date(2027, 3, 15), tmp_path / "a"), tmp_path / "b"
    generate(second, calendar)
    assert first == tmp_path / "a" / "2027-03-15"
    assert _files(first) == _files(second)
    assert [str(f) for f in _files(first) if not filecmp.cmp(first / f, second / f, shallow=False)] == []
    waste = (first / "statistics" / "abfallbilanz-monatlich.csv").read_text(encoding="utf-8-sig")
    assert waste.splitlines()[-1].startswith("02/2027;")
    climate = (first / "statistics" / "energie-co2-bilanz.csv").read_text(encoding="cp1252").splitlines()
    assert climate[-1].startswith("2025;") and ";;;" in climate[-1]  # capacity only: the balance is not out yet
    assert climate[-2].startswith("2024;") and ";;" not in climate[-2]
    register = (first / "charging-register" / "Ladesaeulenregister.csv").read_text(encoding="cp1252")
    assert "Stand: 14.03.2027" in register
    other = prepare(catalog, date(2027, 3, 16), tmp_path / "a")
    assert (first / "gbfs" / "gbfs.json").read_bytes() != (other / "gbfs" / "gbfs.json").read_bytes()
