"""The overview's view model and its rendering are kept while nothing shown changes: the same view (one
fingerprint, one rendering) for every page open of a data version, and a new one as soon as something shown
changes - new data, or a tile that time makes stale without new data."""

from __future__ import annotations

from cockpit.views import build_overview
from layouts.components.tile import overview_content
from tests.unit.test_views_overview import LIVE, NOW, cockpit, write  # noqa: F401 - fixture

BIKES = "bike-sharing-bikes-available"
OVERDUE = "Wert für 22.11.2026, 07:00 seit 22.11.2026, 09:00 überfällig"


def shown(content) -> str:
    return repr(content)


def test_a_tile_that_turns_stale_without_new_data_is_shown_stale_and_back(cockpit):  # noqa: F811
    write(cockpit, LIVE, [(BIKES, "2026-11-22T06:00:00+01:00", 140.0)])
    # 06:00 + 2 * PT1H + PT1H lag: the value for 07:00 is overdue from 09:00
    fresh = build(cockpit, 9, 0)
    again = build(cockpit, 9, 0)
    assert again.fingerprint == fresh.fingerprint and overview_content(again) == overview_content(fresh)
    assert OVERDUE not in shown(overview_content(fresh))
    late = build(cockpit, 9, 1)
    assert late.tile(BIKES).stale and late.fingerprint != fresh.fingerprint
    assert OVERDUE in shown(overview_content(late))
    earlier = build(cockpit, 9, 0)  # a clock set back: the kept tile is judged again, not taken as it was kept
    assert not earlier.tile(BIKES).stale and earlier.fingerprint == fresh.fingerprint
    assert OVERDUE not in shown(overview_content(earlier))


def test_new_data_renders_a_new_overview(cockpit):  # noqa: F811
    write(cockpit, LIVE, [("recycling-rate", "2026-10-01T00:00:00+02:00", 57.0)])
    before = build(cockpit, 10, 0)
    assert "57,0" in shown(overview_content(before))
    write(cockpit, LIVE, [("recycling-rate", "2026-10-01T00:00:00+02:00", 61.5)])
    after = build(cockpit, 10, 0)
    assert after.fingerprint != before.fingerprint
    assert "61,5" in shown(overview_content(after)) and "57,0" not in shown(overview_content(after))
    assert "57,0" in shown(overview_content(before))  # a kept rendering is never changed afterwards


def build(cockpit, hour: int, minute: int):  # noqa: F811
    return build_overview(cockpit, "public", "de", NOW.replace(hour=hour, minute=minute))
