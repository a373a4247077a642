"""`check-config`: validate settings, catalog and sources file without starting anything."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from cockpit.accounts.checks import settings_problems
from cockpit.catalog import CatalogError, load_catalog
from cockpit.config import ConfigError, load_settings
from cockpit.reports.schedule import ScheduleError, load_schedules
from cockpit.sources.config import SourcesError, load_sources
from cockpit.sources.registry import connector_class

NAME = "check-config"
HELP = "validate the settings, the catalog and the sources file, then exit"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", help="catalog file (default: COCKPIT_CATALOG)")
    parser.add_argument("--sources", help="sources file (default: COCKPIT_SOURCES)")
    parser.add_argument("--production", action="store_true",
                        help="check as for the production server (`serve` without --dev), also on loopback")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def production_warnings(settings, production: bool = False) -> list[str]:
    """Settings a production cockpit needs although it starts without them. Production: asked for, or settings
    that only make sense on a public server (listening beyond loopback, behind a proxy, secure cookies, HSTS)."""
    production = production or not _loopback(settings.host) or bool(
        settings.trusted_proxies or settings.cookie_secure or settings.hsts_seconds)
    if not production or (settings.public_url and settings.public_url.startswith("http")):
        return []
    return ["COCKPIT_PUBLIC_URL is not set: links in mails, council reports, the DCAT catalogue, the API and embeds "
            "need the cockpit's public address (they are never built from a request's Host header); `serve` refuses "
            "to listen beyond this machine without it. Set it, e.g. COCKPIT_PUBLIC_URL=https://cockpit.gera.de"]


def run(args: argparse.Namespace) -> int:
    try:
        overrides = {k: v for k, v in (("catalog", args.catalog), ("sources", args.sources)) if v}
        settings = load_settings(**overrides)
        catalog = load_catalog(settings.catalog)
        sources = load_sources(settings.sources)
        for source in sources:  # options are validated by each connector's Options model
            source.options_for(connector_class(source.connector).Options)
        if settings.report_schedules is not None:
            load_schedules(settings.report_schedules)
    except (ConfigError, CatalogError, SourcesError, ScheduleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in catalog.deprecations():
        print(f"warning: {settings.catalog}: {warning}", file=sys.stderr)
    for warning in production_warnings(settings, getattr(args, "production", False)):
        print(f"warning: {warning}", file=sys.stderr)
    problems = settings_problems(settings)  # weak secrets and passwords (never echoed)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 2
    print(f"ok: {len(catalog.indicators)} indicators, {len(catalog.goals)} goals, {len(sources)} sources "
          f"({settings.catalog}, {settings.sources})")
    return 0
