"""The DCAT-AP.de catalogue parsed with rdflib: the properties GovData harvests, for public indicators only."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from tests.unit.opendata_support import INTERNAL, seeded_cockpit

# open namespaces (rdflib's closed ones warn when pytest inspects the module)
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
FREQUENCIES = {f"http://publications.europa.eu/resource/authority/frequency/{word}"
               for word in ("ANNUAL", "QUARTERLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "UPDATE_CONT")}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from layouts.app import create_app

    cockpit = seeded_cockpit(tmp_path_factory.mktemp("dcat"), public_url="https://cockpit.gera.de")
    response = create_app(cockpit).server.test_client().get("/api/v1/dcat.jsonld")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    return cockpit, graph


def dataset_indicator(graph: Graph, dataset) -> str:
    """The dataset's stable dct:identifier is its IRI: .../api/v1/indicators/<id>#dataset."""
    identifier = str(one(graph, dataset, DCTERMS.identifier))
    assert identifier == str(dataset) and identifier.endswith("#dataset")
    return identifier.removesuffix("#dataset").rsplit("/", 1)[-1]


def one(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_the_catalogue_has_title_description_publisher_and_datasets(setup):
    cockpit, graph = setup
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    catalogue = catalogues[0]
    titles = {t.language: str(t) for t in graph.objects(catalogue, DCTERMS["title"])}
    assert titles["de"] == "SmartCity Cockpit Gera: offene Daten" and "en" in titles
    assert list(graph.objects(catalogue, DCTERMS.description))
    publisher = one(graph, catalogue, DCTERMS.publisher)
    assert str(one(graph, publisher, FOAF.name)) == "Stadt Gera"
    public = [i for i in cockpit.catalog.indicators if i.visibility == "public"]
    assert len(list(graph.objects(catalogue, DCAT.dataset))) == len(public)


def test_each_public_indicator_is_a_dataset_with_the_required_properties(setup):
    cockpit, graph = setup
    datasets = {dataset_indicator(graph, d): d for d in graph.subjects(RDF.type, DCAT.Dataset)}
    assert set(datasets) == {i.id for i in cockpit.catalog.indicators if i.visibility == "public"}
    assert not set(INTERNAL) & set(datasets)
    for indicator_id, dataset in datasets.items():
        indicator = cockpit.catalog.indicator(indicator_id)
        assert Literal(indicator.name.de, lang="de") in set(graph.objects(dataset, DCTERMS["title"]))
        assert Literal(indicator.description.en, lang="en") in set(graph.objects(dataset, DCTERMS.description))
        assert isinstance(one(graph, dataset, DCTERMS.publisher), URIRef)
        assert str(one(graph, dataset, DCATDE.contributorID)).startswith("http://dcat-ap.de/def/contributors/")
        assert str(one(graph, dataset, DCTERMS.accrualPeriodicity)) in FREQUENCIES
        assert list(graph.objects(dataset, DCAT.theme))
        assert list(graph.objects(dataset, DCAT.contactPoint))
        distributions = list(graph.objects(dataset, DCAT.distribution))
        formats = set()
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            access = str(one(graph, distribution, DCAT.accessURL))
            assert access.startswith((f"https://cockpit.gera.de/api/v1/indicators/{indicator_id}/observations",
                                      f"https://cockpit.gera.de/api/v1/indicators/{indicator_id}/districts.geojson",
                                      f"https://cockpit.gera.de/sta/v1.1/Datastreams('{indicator_id}:city')",
                                      "https://cockpit.gera.de/ngsi-ld/v1/entities?type=KeyPerformanceIndicator"))
            assert str(one(graph, distribution, DCTERMS.license)).startswith("http://dcat-ap.de/def/licenses/")
            assert str(one(graph, distribution, DCATDE.licenseAttributionByText)) == indicator.source.attribution
            formats.add(str(one(graph, distribution, DCTERMS["format"])).rsplit("/", 1)[-1])
        goals, spatial = bool(cockpit.catalog.goals_for(indicator_id)), indicator.spatial == "district"
        expected = {"CSV", "JSON"} | ({"JSON_LD"} if goals else set()) | ({"GEOJSON"} if spatial else set())
        assert formats == expected
        assert len(distributions) == 3 + goals + spatial  # CSV, JSON, SensorThings (JSON), NGSI-LD, GeoJSON


def test_licences_frequencies_and_temporal_coverage(setup):
    _cockpit, graph = setup
    datasets = {dataset_indicator(graph, d): d for d in graph.subjects(RDF.type, DCAT.Dataset)}

    def licence(dataset) -> str:
        found = {str(one(graph, d, DCTERMS.license)) for d in graph.objects(dataset, DCAT.distribution)}
        assert len(found) == 1
        return found.pop()

    recycling = datasets["recycling-rate"]
    assert licence(recycling) == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert str(one(graph, recycling, DCTERMS.accrualPeriodicity)).endswith("/MONTHLY")
    period = one(graph, recycling, DCTERMS.temporal)
    assert one(graph, period, DCAT.startDate) == Literal("2022-12-31", datatype=XSD.date)
    assert one(graph, period, DCAT.endDate) == Literal("2026-09-30", datatype=XSD.date)
    smard = datasets["renewable-share-electricity"]
    assert licence(smard) == "http://dcat-ap.de/def/licenses/cc-by/4.0"
    assert str(one(graph, smard, DCTERMS.accrualPeriodicity)).endswith("/DAILY")
    assert not list(graph.objects(smard, DCTERMS.temporal))  # no data yet: no coverage claimed
    bikes = datasets["bike-sharing-bikes-available"]
    assert licence(bikes) == "http://dcat-ap.de/def/licenses/cc-zero"
    assert str(one(graph, bikes, DCTERMS.accrualPeriodicity)).endswith("/HOURLY")
    co2 = datasets["co2-per-inhabitant"]
    assert str(one(graph, co2, DCTERMS.accrualPeriodicity)).endswith("/ANNUAL")
