"""Select an indicator's city-wide observations and find their latest period start."""

from __future__ import annotations

from datetime import datetime

import pandas as pd


def city_observations(frame: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """The rows of `indicator_id` with district "" (city-wide); missing districts count as city-wide."""
    district = frame["district"].fillna("") if "district" in frame else pd.Series("", index=frame.index)
    return frame[(frame["indicator"] == indicator_id) & (district == "")]


def latest_period_start(frame: pd.DataFrame, indicator_id: str) -> datetime | None:
    """The latest period start (UTC) of the indicator's city-wide observations, None without any."""
    starts = city_observations(frame, indicator_id)["period_start"].dropna()
    return None if starts.empty else starts.max().to_pydatetime()
