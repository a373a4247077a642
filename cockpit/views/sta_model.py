"""The OGC SensorThings API 1.1 data model this service serves (`cockpit.views.sta`): the conformance classes,
entity sets, their navigation properties and properties, and what Observations can be ordered by."""

from __future__ import annotations

OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
CONFORMANCE = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
]
SETS = ("Things", "Locations", "Sensors", "ObservedProperties", "Datastreams", "Observations", "FeaturesOfInterest")
# navigation properties: name -> (target set, is a collection)
NAVIGATION = {
    "Things": {"Locations": ("Locations", True), "Datastreams": ("Datastreams", True)},
    "Locations": {"Things": ("Things", True)},
    "Sensors": {"Datastreams": ("Datastreams", True)},
    "ObservedProperties": {"Datastreams": ("Datastreams", True)},
    "Datastreams": {"Thing": ("Things", False), "Sensor": ("Sensors", False),
                    "ObservedProperty": ("ObservedProperties", False), "Observations": ("Observations", True)},
    "Observations": {"Datastream": ("Datastreams", False), "FeatureOfInterest": ("FeaturesOfInterest", False)},
    "FeaturesOfInterest": {"Observations": ("Observations", True)},
}
PROPERTIES = {
    "Things": ("id", "selfLink", "name", "description", "properties"),
    "Locations": ("id", "selfLink", "name", "description", "encodingType", "location", "properties"),
    "Sensors": ("id", "selfLink", "name", "description", "encodingType", "metadata", "properties"),
    "ObservedProperties": ("id", "selfLink", "name", "definition", "description", "properties"),
    "Datastreams": ("id", "selfLink", "name", "description", "unitOfMeasurement", "observationType",
                    "observedArea", "phenomenonTime", "resultTime", "properties"),
    "Observations": ("id", "selfLink", "phenomenonTime", "resultTime", "result", "resultQuality", "validTime",
                     "parameters"),
    "FeaturesOfInterest": ("id", "selfLink", "name", "description", "encodingType", "feature", "properties"),
}
OBSERVATION_ORDER = ("id", "phenomenonTime", "result")
