"""The DCAT-AP.de catalogue against the official SHACL shapes of DCAT-AP.de 2.0 (GovDataOfficial/DCAT-AP.de,
tests/fixtures/third_party/dcat-ap-de/): 0 violations in the profile "Spezifikation" and, with the city's
contributor id registered, in "Spezifikation + Konventionen" (what GovData checks on harvest). The vocabularies
the shapes import over the network are given by a local excerpt (vocabulary-excerpt.ttl)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pyshacl import validate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import SH, SKOS

from tests.unit.opendata_support import catalog_file, seeded_cockpit

SHAPES = Path(__file__).parents[1] / "fixtures" / "third_party" / "dcat-ap-de"
SPECIFICATION = ("dcat-ap-spec-german-messages.ttl", "dcat-ap-spec-german-additions.ttl",
                 "dcat-ap-de-deprecated.ttl", "dcat-ap_2.1.1_shacl_shapes.ttl")
CONVENTIONS = (*SPECIFICATION, "dcat-ap-konventionen.ttl")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def shapes(names) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name)
    return graph


def catalogue(tmp_path: Path, hvd: dict | None = None) -> tuple[object, Graph]:
    from layouts.app import create_app

    overrides = {}
    if hvd:
        raw = yaml.safe_load(catalog_file(tmp_path).read_text(encoding="utf-8"))
        for indicator in raw["indicators"]:
            if indicator["id"] in hvd:
                indicator["hvd_category"] = hvd[indicator["id"]]
        path = tmp_path / "catalog-hvd.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        overrides["catalog"] = path
    cockpit = seeded_cockpit(tmp_path, public_url="https://cockpit.gera.de", **overrides)
    text = create_app(cockpit).server.test_client().get("/api/v1/dcat.jsonld").get_data(as_text=True)
    data = Graph().parse(data=text, format="json-ld")
    data.parse(SHAPES / "vocabulary-excerpt.ttl")  # what dcat-ap-de-imports.ttl imports
    return cockpit, data


def results(data: Graph, names, severity=SH.Violation) -> list[str]:
    _conforms, report, _text = validate(data, shacl_graph=shapes(names), inference="none", allow_warnings=True)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) == severity:
            found.append(f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
                         f"{report.value(result, SH.resultMessage)}")
    return found


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return catalogue(tmp_path_factory.mktemp("shacl"))


def test_zero_violations_against_the_specification_shapes(plain):
    _cockpit, data = plain
    assert results(data, SPECIFICATION) == []


def test_zero_violations_with_govdatas_conventions_once_the_contributor_is_registered(plain):
    cockpit, data = plain
    violations = results(data, CONVENTIONS)
    contributor = URIRef(cockpit.settings.opendata_contributor_id)
    assert violations and all("contributorID" in v for v in violations)  # not in the contributors list yet
    data.add((contributor, SKOS.inScheme, URIRef("http://dcat-ap.de/def/contributors")))  # GovData's registration
    assert results(data, CONVENTIONS) == []


def test_the_shapes_catch_a_broken_catalogue(plain):
    """The check can fail: a dataset without title and with a frequency outside the vocabulary is reported."""
    _cockpit, data = plain
    broken = Graph()
    for triple in data:
        broken.add(triple)
    dataset = next(broken.subjects(RDF.type, DCAT.Dataset))
    broken.remove((dataset, URIRef("http://purl.org/dc/terms/title"), None))
    broken.set((dataset, URIRef("http://purl.org/dc/terms/accrualPeriodicity"),
                URIRef("http://example.org/every-now-and-then")))
    violations = results(broken, SPECIFICATION)
    assert any("title" in v for v in violations) and any("accrualPeriodicity" in v for v in violations)


def test_high_value_datasets_name_the_regulation_and_category(tmp_path):
    _cockpit, data = catalogue(tmp_path, hvd={"co2-per-inhabitant": "earth-observation-environment"})
    assert results(data, SPECIFICATION) == []
    marked = set(data.subjects(DCATAP.applicableLegislation, URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")))
    datasets = {s for s in marked if (s, RDF.type, DCAT.Dataset) in data}
    assert [str(d) for d in datasets] == ["https://cockpit.gera.de/api/v1/indicators/co2-per-inhabitant#dataset"]
    dataset = datasets.pop()
    assert data.value(dataset, DCATAP.hvdCategory) == URIRef("http://data.europa.eu/bna/c_dd313021")
    assert all((d, DCATAP.applicableLegislation, None) in data for d in data.objects(dataset, DCAT.distribution))
