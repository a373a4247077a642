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


def test_snapshot_feeds_are_generated_for_the_current_quarter_hour_with_a_past_to_replay(tmp_path):
    """GBFS and NGSI publish only the current state: the running demo writes the snapshot of the current
    quarter hour (same moment -> same bytes) and replays hourly snapshots of the last 8 days and a year of
    noons before that on the first ingest."""
    from datetime import UTC, date, datetime, timedelta

    from cockpit.catalog import load_catalog
    from cockpit.demo import for_today, history_moments, is_snapshot_source, live_slot
    from cockpit.kpi import LOCAL_TZ
    from cockpit.sources.config import load_sources

    catalog = load_catalog(PROJECT_ROOT / "data" / "catalog.yaml")
    sources = {s.id: s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml")}
    bikes, bins, waste = sources["bike-sharing"], sources["waste-containers"], sources["waste-balance"]
    assert is_snapshot_source(bikes) and is_snapshot_source(bins) and not is_snapshot_source(waste)
    day = date(2027, 3, 15)
    now = datetime(2027, 3, 15, 10, 37, tzinfo=LOCAL_TZ)
    assert live_slot(day, now) == datetime(2027, 3, 15, 10, 30, tzinfo=LOCAL_TZ)
    assert live_slot(day, now + timedelta(days=1)).hour == 12  # another day: that day's noon

    first = for_today(bikes, catalog, day, tmp_path / "a", now=now)
    again = for_today(bikes, catalog, day, tmp_path / "b", now=now + timedelta(minutes=5))
    status = "station_status.json"
    assert first.location.endswith("2027-03-15/live/1030/gbfs/gbfs.json")
    first_status = (tmp_path / "a" / "2027-03-15" / "live" / "1030" / "gbfs" / status)
    again_status = (tmp_path / "b" / "2027-03-15" / "live" / "1030" / "gbfs" / status)
    assert again.location.endswith("live/1030/gbfs/gbfs.json")
    assert first_status.read_bytes() == again_status.read_bytes()  # same moment, same bytes
    later = for_today(bikes, catalog, day, tmp_path / "a", now=now + timedelta(minutes=15))
    assert later.location.endswith("live/1045/gbfs/gbfs.json")
    assert not first_status.exists()  # the day's older slots are removed
    bins_today = for_today(bins, catalog, day, tmp_path / "a", now=now)
    assert bins_today.location.endswith("live/1030/ngsi")

    moments = history_moments(live_slot(day, now))
    assert all(m < live_slot(day, now) for m in moments) and moments == sorted(moments)
    hourly = [m for m in moments if m >= live_slot(day, now) - timedelta(days=8)]
    steps = {b.astimezone(UTC) - a.astimezone(UTC) for a, b in zip(hourly, hourly[1:], strict=False)}
    assert len(hourly) >= 8 * 24 and steps == {timedelta(hours=1)}
    assert live_slot(day, now) - moments[0] >= timedelta(days=365)
    # across the switch to summer time (28 March 2027) the hours stay one apart
    spring = history_moments(datetime(2027, 3, 30, 9, 0, tzinfo=LOCAL_TZ))[-8 * 24:]
    assert {b.astimezone(UTC) - a.astimezone(UTC) for a, b in zip(spring, spring[1:], strict=False)} == {
        timedelta(hours=1)}
