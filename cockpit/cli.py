"""Command-line interface of the core: one module per command in cockpit/commands/."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Callable

import cockpit.commands as package
from cockpit import printable
from cockpit.catalog import CatalogError
from cockpit.config import ConfigError
from cockpit.sources.config import SourcesError

# The original commands keep their place at the top of `--help`; every other module of cockpit/commands/
# (one per command: NAME, HELP, configure(parser), run(args) -> int) follows in name order.
FIRST_COMMANDS = (
    "cockpit.commands.scheduler",
    "cockpit.commands.ingest",
    "cockpit.commands.backfill",
    "cockpit.commands.reprocess",
    "cockpit.commands.status",
    "cockpit.commands.export",
    "cockpit.commands.check_config",
    "cockpit.commands.evaluate",
)


def command_modules() -> list[str]:
    others = sorted(f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                    if not m.name.startswith("_") and f"{package.__name__}.{m.name}" not in FIRST_COMMANDS)
    return [*FIRST_COMMANDS, *others]

Handler = Callable[[argparse.Namespace], int]


def build_parser(extra: tuple[tuple[str, str, Callable, Handler], ...] = ()) -> argparse.ArgumentParser:
    """The `run.py` parser; `extra` adds commands defined outside the core, e.g. `serve` (name, help, configure, run)."""
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="SmartCity Cockpit: sustainability indicators of a city measured against its goals.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    specs = list(extra)
    for module_name in command_modules():
        module = importlib.import_module(module_name)
        specs.append((module.NAME, module.HELP, module.configure, module.run))
    for name, help_text, configure, handler in specs:
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        configure(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None, extra=(), default: str | None = None) -> int:
    parser = build_parser(extra)
    argv = list(sys.argv[1:] if argv is None else argv)
    if default and (not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, default)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    printable.install()  # control characters in logged client input are escaped
    try:
        return int(args.handler(args) or 0)
    except (ConfigError, CatalogError, SourcesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
