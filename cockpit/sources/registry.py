"""Connector names in the sources file -> connector classes (imported on first use).

Below the connector interface: the sources file is checked against these names without importing a connector."""

from __future__ import annotations

import importlib

# name -> "module:Class"; one module per published format.
CONNECTORS: dict[str, str] = {
    "smard": "cockpit.sources.smard:SmardConnector",
    "energy-charts": "cockpit.sources.energy_charts:EnergyChartsConnector",
    "gbfs": "cockpit.sources.gbfs:GbfsConnector",
    "sensorthings": "cockpit.sources.sensorthings:SensorThingsConnector",
    "ngsi": "cockpit.sources.ngsi:NgsiConnector",
    "ttn-mqtt": "cockpit.sources.lorawan:LorawanMqttConnector",
    "charging-register": "cockpit.sources.charging_register:ChargingRegisterConnector",
    "statistics-csv": "cockpit.sources.statistics:StatisticsConnector",
}


def connector_names() -> set[str]:
    return set(CONNECTORS)


def connector_class(name: str) -> type:
    """The connector class (a `cockpit.sources.base.Connector`) registered under `name`."""
    module_name, _, class_name = CONNECTORS[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
