"""SECURITY.md tells a finder where to report: the project's private security advisory route, and for an
installation the contact its city publishes through a setting that exists; no invented e-mail address."""

from __future__ import annotations

import re

from cockpit import PROJECT_ROOT
from cockpit.config import Settings

POLICY = (PROJECT_ROOT / "SECURITY.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return POLICY.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_policy_names_the_security_advisory_route_and_no_invented_address():
    contact = section("Security contact")
    assert "Security** tab" in contact and '"Report a vulnerability"' in contact and "advisory" in contact
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.-]+", POLICY)  # no e-mail address anyone made up


def test_the_settings_the_policy_names_exist():
    named = set(re.findall(r"`COCKPIT_([A-Z_]+)`", POLICY))
    assert named and all(name.lower() in Settings.model_fields for name in named), named
