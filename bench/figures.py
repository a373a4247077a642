"""What every bench row is made of: a figure beside its same-run baseline, the timing helpers, the resident set of
processes read from /proc (the server's workers, never the bench process), and the printed table."""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Figure:
    backend: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def median_seconds(func, repeat: int) -> float:
    return statistics.median(func() for _ in range(repeat))


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def reset_peak_rss() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb(pid: int | str = "self") -> float:
    """The peak resident set (VmHWM) of a process since it started or since `reset_peak_rss`, MB."""
    return _status_mb(pid, "VmHWM")


def rss_mb(pid: int | str = "self") -> float:
    """The resident set (VmRSS) of a process now, MB."""
    return _status_mb(pid, "VmRSS")


def _status_mb(pid: int | str, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers of its master), from /proc."""
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


class RssSampler:
    """Samples the summed and the largest VmRSS of some processes every `interval` seconds, in a thread."""

    def __init__(self, pids, interval: float = 0.1):
        self.pids, self.interval, self.largest, self.total = pids, interval, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = [rss_mb(pid) for pid in self.pids()]
            sizes = [size for size in sizes if size == size]  # gone processes: nan
            if sizes:
                self.largest = max(self.largest, max(sizes))
                self.total = max(self.total, sum(sizes))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


def table(figures: list[Figure]) -> str:
    lines = ["| backend | measure | value | baseline (same run) | ratio | target |",
             "| --- | --- | ---: | --- | ---: | --- |"]
    for f in figures:
        value = f"{f.value:,.0f} {f.unit}" if f.value >= 100 else f"{f.value:,.2f} {f.unit}"
        base = "" if f.baseline is None else (
            f"{f.baseline:,.0f} {f.unit} ({f.baseline_name})" if f.baseline >= 100
            else f"{f.baseline:,.2f} {f.unit} ({f.baseline_name})")
        ratio = "" if f.ratio is None else (f"{f.ratio:.0%}" if f.unit in ("rows/s", "req/s") else f"{f.ratio:.1f}x")
        lines.append(f"| {f.backend} | {f.name} | {value} | {base} | {ratio} | {f.target} |")
    return "\n".join(lines)
