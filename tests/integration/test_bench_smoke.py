"""The benchmark suite keeps working: `python -m bench` at a tiny size on SQLite and PostgreSQL prints its table
(figures beside their same-run baselines). No timing is asserted here; speed is measured by the bench itself."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench import browser
from cockpit import PROJECT_ROOT
from tests.conftest import require


@pytest.mark.postgres
def test_bench_runs_at_a_small_size_on_both_backends(postgres_server):
    require(browser.available() is None, "Debian's Chromium (/usr/bin/chromium) with playwright")
    result = subprocess.run([sys.executable, "-m", "bench", "--size", "2000", "--repeat", "1", "--load-seconds", "1",
                             "--browser-loads", "1", "--pg-url", postgres_server], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout
    for backend in ("sqlite", "postgresql"):
        for measure in ("bulk ingest, first", "9-row run at", "trivial Flask route", "warm (public, cached)",
                        "page open of / (routing callback): rendered (page cache emptied before each)",
                        "page open of / (routing callback): kept page", "Dash components in the response",
                        "page open of / (routing callback): first fresh answer after a real ingest",
                        "refresh callback: first answer after a real ingest (the previous page",
                        "refresh callback: first fresh answer after a real ingest",
                        "page opens of / (routing callback) under 64 connections",
                        "overview refresh callback under 64 connections",
                        "page open of / after a real ingest, until the answer shows the new data version",
                        "worker RSS under 64 connections", "worker peak RSS",
                        "explorer page render", "indicator page render", "largest of", "explorer filter change",
                        "fully drawn at 1920x1080", "first visit", "right after new data, median",
                        "store size on disk"):
            assert any(line.startswith(f"| {backend} |") and measure in line for line in table.splitlines()), measure
    assert "raw executemany" in table and "raw binary COPY" in table
    assert "bench process" not in table.replace("bench process excluded", "")  # RSS rows: the server's workers only
