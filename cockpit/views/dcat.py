"""DCAT-AP.de metadata of the open data as JSON-LD (inline context, no remote lookups): the catalogue of the
cockpit with one dataset per public indicator, each with a CSV and a JSON distribution, licence URI and
attribution text, publisher, contributor id, update frequency (from the rhythm) and temporal coverage.
GovData and the city's open-data portal harvest this document."""

from __future__ import annotations

import re
from datetime import datetime

from cockpit.catalog import Catalog, Indicator
from cockpit.catalog.duration import Duration
from cockpit.config import Settings
from cockpit.views.ngsi_ld import entity_id as kpi_entity_id

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcatap": "http://data.europa.eu/r5r/",
}
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
LICENCES = "http://dcat-ap.de/def/licenses/"
THEMES = {"energy": ["ENER", "ENVI"], "mobility": ["TRAN"], "waste": ["ENVI"]}
# high-value datasets: the regulation and the categories of the EU vocabulary (http://data.europa.eu/bna/asd487ae75)
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
HVD_CATEGORIES = {
    "geospatial": "c_ac64a52d", "earth-observation-environment": "c_dd313021", "meteorological": "c_164e0bf5",
    "statistics": "c_e1da4e07", "companies": "c_a9135398", "mobility": "c_b79e35eb",
}
STA_STANDARD = "http://www.opengis.net/doc/is/sensorthings/1.1"
NGSI_LD_STANDARD = "https://uri.etsi.org/ngsi-ld/"  # ETSI GS CIM 009 (NGSI-LD API), its namespace
# licence texts of the catalog -> DCAT-AP.de licence URIs (most specific first)
LICENCE_PATTERNS = (
    (r"dl-de/zero|zero.*2\.0|Zero – Version 2\.0", "dl-zero-de/2.0"),
    (r"dl-de/by|Namensnennung 2\.0|Namensnennung – Version 2\.0", "dl-by-de/2.0"),
    (r"CC[ -]?BY[ -]SA[ -]?4", "cc-by-sa/4.0"),
    (r"CC[ -]?BY[ -]?4", "cc-by/4.0"),
    (r"CC0|CC[ -]ZERO", "cc-zero"),
    (r"ODbL", "odbl"),
)


# human-readable licence texts (links in attributions, as Datenlizenz Deutschland asks for)
LICENCE_PAGES = {
    "dl-zero-de/2.0": "https://www.govdata.de/dl-de/zero-2-0",
    "dl-by-de/2.0": "https://www.govdata.de/dl-de/by-2-0",
    "cc-by-sa/4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc-by/4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-zero": "https://creativecommons.org/publicdomain/zero/1.0/",
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
}


def licence_page(text: str) -> str | None:
    """The licence's own page for a licence text of the catalog, if it names a known licence."""
    for pattern, suffix in LICENCE_PATTERNS:
        if re.search(pattern, text, re.IGNORECASE):
            return LICENCE_PAGES[suffix]
    return None


def licence_uri(text: str, default: str) -> str:
    for pattern, suffix in LICENCE_PATTERNS:
        if re.search(pattern, text, re.IGNORECASE):
            return LICENCES + suffix
    return default


def frequency_uri(rhythm: Duration) -> str:
    if rhythm.years >= 1:
        word = "ANNUAL"
    elif rhythm.months >= 3:
        word = "QUARTERLY"
    elif rhythm.months >= 1:
        word = "MONTHLY"
    elif rhythm.days >= 7:
        word = "WEEKLY"
    elif rhythm.days >= 1:
        word = "DAILY"
    elif rhythm.approx_seconds() == 3600:
        word = "HOURLY"
    else:
        word = "UPDATE_CONT"
    return FREQUENCY + word


def _texts(text) -> list[dict]:
    return [{"@value": text.de, "@language": "de"}, {"@value": text.en, "@language": "en"}]


def _date(moment: datetime | None) -> dict | None:
    return None if moment is None else {"@value": moment.date().isoformat(), "@type": "xsd:date"}


def dcat_document(catalog: Catalog, settings: Settings, base_url: str,
                  coverage: dict[str, tuple[datetime | None, datetime | None]],
                  modified: datetime | None = None) -> dict:
    base = base_url.rstrip("/")
    city = catalog.city
    publisher = {
        "@id": f"{base}/#publisher",
        "@type": "foaf:Agent",
        "foaf:name": settings.opendata_publisher or f"Stadt {city.de}",
    }
    if settings.public_url or base:
        publisher["foaf:homepage"] = {"@id": f"{base}/"}
    contact = {"@id": f"{base}/#contact", "@type": "vcard:Organization",
               "vcard:fn": settings.opendata_publisher or f"Stadt {city.de}"}
    if settings.feedback_email:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{settings.feedback_email}"}
    datasets = [_dataset(ind, catalog, settings, base, publisher["@id"], contact, coverage.get(ind.id), modified)
                for ind in catalog.indicators if ind.visibility == "public"]
    document = {
        "@context": CONTEXT,
        "@id": f"{base}/api/v1/dcat.jsonld#catalog",
        "@type": "dcat:Catalog",
        "dct:title": [{"@value": f"SmartCity Cockpit {city.de}: offene Daten", "@language": "de"},
                      {"@value": f"SmartCity Cockpit {city.en}: open data", "@language": "en"}],
        "dct:description": [
            {"@value": f"Kennzahlen der Stadt {city.de} zu Energie, Mobilität und Abfall mit ihren Zielen.",
             "@language": "de"},
            {"@value": f"Indicators of the city of {city.en} on energy, mobility and waste with their goals.",
             "@language": "en"}],
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": f"{base}/"},
        "dct:language": [{"@id": LANGUAGE + "DEU"}, {"@id": LANGUAGE + "ENG"}],
        "dcat:themeTaxonomy": {"@id": THEME[:-1]},
        "dcat:dataset": datasets,
    }
    if modified is not None:
        document["dct:modified"] = {"@value": modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "@type": "xsd:dateTime"}
    return document


def _dataset(ind: Indicator, catalog: Catalog, settings: Settings, base: str, publisher_id: str, contact: dict,
             span: tuple[datetime | None, datetime | None] | None, modified: datetime | None = None) -> dict:
    api = f"{base}/api/v1/indicators/{ind.id}"
    licence = {"@id": licence_uri(ind.source.licence, settings.opendata_licence)}
    distributions = [
        _distribution(ind, f"{api}#distribution-{fmt.lower()}", f"{api}/observations?format={fmt.lower()}", fmt,
                      media, title, licence, download=True)
        for fmt, media, title in (("CSV", "text/csv", "CSV"), ("JSON", "application/json", "JSON"))
    ]
    sta = f"{base}/sta/v1.1/Datastreams('{ind.id}:city')/Observations"
    distributions.append(_distribution(ind, f"{api}#distribution-sensorthings", sta, "JSON", "application/json",
                                       "OGC SensorThings API", licence, conforms_to=STA_STANDARD))
    if ind.spatial == "district":
        distributions.append(_distribution(ind, f"{api}#distribution-geojson", f"{api}/districts.geojson", "GEOJSON",
                                           "application/geo+json", "GeoJSON", licence, download=True))
    goals = catalog.goals_for(ind.id)
    if goals:
        ngsi = f"{base}/ngsi-ld/v1/entities?type=KeyPerformanceIndicator&id=" + ",".join(
            kpi_entity_id(catalog, g) for g in goals)
        distributions.append(_distribution(ind, f"{api}#distribution-ngsi-ld", ngsi, "JSON_LD",
                                           "application/ld+json", "NGSI-LD KeyPerformanceIndicator", licence,
                                           conforms_to=NGSI_LD_STANDARD))
    dataset = {
        "@id": f"{api}#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{api}#dataset",  # the dataset's IRI: stable as long as the public address is
        "dct:title": _texts(ind.name),
        "dct:description": _texts(ind.description),
        "dct:publisher": {"@id": publisher_id},
        "dcat:contactPoint": contact,
        "dcatde:contributorID": {"@id": settings.opendata_contributor_id},
        "dcat:theme": [{"@id": THEME + code} for code in THEMES.get(ind.domain, ["ENVI"])],
        "dcat:keyword": [{"@value": catalog.city.de, "@language": "de"}, *_keywords(ind)],
        "dct:accrualPeriodicity": {"@id": frequency_uri(ind.rhythm)},
        "dcat:landingPage": {"@id": f"{base}/?lang=de#tile-{ind.id}"},
        "dcat:distribution": distributions,
    }
    if span and span[0] is not None:
        period = {"@type": "dct:PeriodOfTime", "dcat:startDate": _date(span[0])}
        if span[1] is not None:
            period["dcat:endDate"] = _date(span[1])
        dataset["dct:temporal"] = period
    if ind.source.url:
        dataset["dct:relation"] = {"@id": ind.source.url}  # the upstream source's page (not a dcat:Dataset)
    if modified is not None:
        dataset["dct:modified"] = {"@value": modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "@type": "xsd:dateTime"}
    if ind.hvd_category is not None:
        dataset["dcatap:applicableLegislation"] = {"@id": HVD_LEGISLATION}
        dataset["dcatap:hvdCategory"] = {"@id": "http://data.europa.eu/bna/" + HVD_CATEGORIES[ind.hvd_category]}
        for distribution in distributions:
            distribution["dcatap:applicableLegislation"] = {"@id": HVD_LEGISLATION}
    return dataset


def _distribution(ind: Indicator, ident: str, url: str, fmt: str, media: str, title: str, licence: dict,
                  download: bool = False, conforms_to: str | None = None) -> dict:
    distribution = {
        "@id": ident,
        "@type": "dcat:Distribution",
        "dct:title": [{"@value": f"{ind.name.de} ({title})", "@language": "de"},
                      {"@value": f"{ind.name.en} ({title})", "@language": "en"}],
        "dcat:accessURL": {"@id": url},
        "dct:format": {"@id": FILE_TYPE + fmt},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
        "dct:license": licence,
        "dcatde:licenseAttributionByText": ind.source.attribution,
    }
    if download:
        distribution["dcat:downloadURL"] = {"@id": url}
    if conforms_to is not None:
        distribution["dct:conformsTo"] = {"@id": conforms_to}
    return distribution


def _keywords(ind: Indicator) -> list[dict]:
    words = {"energy": ("Energie", "energy"), "mobility": ("Mobilität", "mobility"), "waste": ("Abfall", "waste")}
    de, en = words[ind.domain]
    return [{"@value": de, "@language": "de"}, {"@value": en, "@language": "en"}]
