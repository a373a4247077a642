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
