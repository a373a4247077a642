"""/api/v1/pathway: the JSON of `run.py pathway` plus meta, CSV, the what-if parameter, public measures only,
4xx for malformed requests; /klimapfad for each role (public measures only for anonymous visitors)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from cockpit import PROJECT_ROOT
from cockpit.measures import load_measures
from layouts.app import create_app
from tests.unit.opendata_support import login, seeded_cockpit
from tests.unit.test_app import router_request, text

KEYS = ["y0", "years", "observed", "by_sector", "quality", "factor_carried_forward", "bau", "effects", "plan",
        "target", "coverage", "gap", "budget_remaining", "budget_exhausted_year"]


def seed_balance(cockpit) -> None:
    """Five balance years (2019..2023) and the demo measures."""
    rows = []
    for year in range(2019, 2024):
        rows += [(year, "households", "natural_gas", 900_000 - 20_000 * (year - 2019), "A"),
                 (year, "transport", "diesel", 700_000 - 10_000 * (year - 2019), "D")]
    cockpit.store.import_balance(pd.DataFrame(rows, columns=["year", "sector", "carrier", "mwh", "grade"]),
                                 {y: 95_000 - 500 * (y - 2019) for y in range(2019, 2024)}, "Stadt Test")
    cockpit.store.import_measures(load_measures(PROJECT_ROOT / "data" / "measures.yaml", cockpit.catalog))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cockpit = seeded_cockpit(tmp_path_factory.mktemp("pathway-api"))
    seed_balance(cockpit)
    return create_app(cockpit).server.test_client()


def test_json_is_the_command_shape_plus_meta(client):
    response = client.get("/api/v1/pathway")
    assert response.status_code == 200 and response.headers["ETag"]
    data = response.get_json()
    assert list(data) == [*KEYS, "meta"]
    assert data["y0"] == 2023 and data["years"] == list(range(2019, 2031))
    assert data["meta"]["goal"] == "co2-halve-2030" and data["meta"]["balance_sources"] == ["Stadt Test"]
    assert "innovation-centre" not in data["effects"]  # internal measure
    assert "hydrogen-buses" in data["effects"]
    assert client.get("/api/v1/pathway", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_what_if_switches_public_measures_off_and_ignores_internal_ones(client):
    base = client.get("/api/v1/pathway").get_json()
    off = client.get("/api/v1/pathway?off=hydrogen-buses").get_json()
    assert off["plan"]["2030"] == pytest.approx(base["plan"]["2030"] + 1100, abs=0.2)
    assert off["meta"]["off"] == ["hydrogen-buses"]
    hidden = client.get("/api/v1/pathway?off=innovation-centre").get_json()
    assert hidden["meta"]["off"] == [] and hidden["plan"] == base["plan"]


def test_csv_one_line_per_year(client):
    response = client.get("/api/v1/pathway?format=csv")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["year"]) for r in rows] == list(range(2019, 2031))
    data = client.get("/api/v1/pathway").get_json()
    assert float(rows[0]["observed_t"]) == data["observed"]["2019"]
    assert float(rows[-1]["plan_t"]) == data["plan"]["2030"] and rows[-1]["observed_t"] == ""


@pytest.mark.parametrize("query", ["format=xml", "of=hydrogen-buses", "format=csv&format=json&x=1"])
def test_malformed_requests_get_400(client, query):
    response = client.get(f"/api/v1/pathway?{query}")
    assert response.status_code == 400 and "message" in response.get_json()["error"]


def test_staff_session_does_not_widen_the_api(client):
    login(client)
    assert "innovation-centre" not in client.get("/api/v1/pathway?off=x").get_json()["effects"]


def test_without_a_balance_404(tmp_path):
    app = create_app(seeded_cockpit(tmp_path)).server.test_client()
    assert app.get("/api/v1/pathway").status_code == 404
    assert "noch keine CO2-Bilanz" in text(router_request(app, "/klimapfad"))


def test_page_shows_internal_measures_to_staff_only(tmp_path):
    cockpit = seeded_cockpit(tmp_path)
    seed_balance(cockpit)
    app = create_app(cockpit).server.test_client()
    anonymous = text(router_request(app, "/klimapfad", "?lang=de&off=innovation-centre"))
    assert "Wasserstoffbusse" in anonymous and "Innovationszentrum" not in anonymous
    assert "Hydrogen buses" in text(router_request(app, "/klimapfad", "?lang=en"))
    login(app)
    assert "Innovationszentrum" in text(router_request(app, "/klimapfad"))


def test_goal_indicator_and_measure_pages_link_to_the_pathway(tmp_path):
    cockpit = seeded_cockpit(tmp_path)
    seed_balance(cockpit)
    app = create_app(cockpit).server.test_client()
    goals = text(router_request(app, "/goals"))
    assert "goal-co2-halve-2030-pathway" in goals and "/klimapfad?lang=de" in goals
    assert "indicator-pathway-link" in text(router_request(app, "/indicator/co2-per-inhabitant"))
    assert "indicator-pathway-link" not in text(router_request(app, "/indicator/recycling-rate"))
    measure = text(router_request(app, "/measure/hydrogen-buses", "?lang=en"))
    api = app.get("/api/v1/pathway").get_json()
    share = api["effects"]["hydrogen-buses"]["2030"] / sum(e["2030"] for e in api["effects"].values())
    assert "Climate effect" in measure and "Reduction in 2030" in measure and "1,100 t" in measure
    assert f"{round(share * 100)}%" in measure and "Effect recorded by" in measure
    assert "measure-pathway-facts" not in text(router_request(app, "/measure/e-bike-boxes-x"))


def test_embed_pathway_is_public_and_frameable_by_the_city_site(client):
    response = client.get("/embed/pathway?lang=de")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "frame-ancestors 'self' https://www.gera.de" in response.headers["Content-Security-Policy"]
    assert "embed-pathway__sentence\">" in body and "2030" in body and "Wasserstoffbusse im Stadtverkehr" in body and "Innovationszentrum" not in body
    assert "Stadt Test" in body  # the source line
    english = client.get("/embed/pathway?lang=en&off=hydrogen-buses").get_data(as_text=True)
    assert "Hydrogen buses" not in english and "Climate pathway" in english
    assert client.get("/embed/pathway?theme=neon").status_code == 400


def test_embed_without_a_balance_404(tmp_path):
    assert create_app(seeded_cockpit(tmp_path)).server.test_client().get("/embed/pathway").status_code == 404


def test_overrides_and_carried_forward_factors_are_named_on_the_page(tmp_path):
    cockpit = seeded_cockpit(tmp_path)
    seed_balance(cockpit)
    app = create_app(cockpit).server.test_client()
    before = app.get("/api/v1/pathway").get_json()
    cockpit.store.set_factor_override(2023, "natural_gas", 0.2, "Gasnetz: Biomethan-Anteil 2023 laut Stadtwerken",
                                      "Umweltamt")
    page = text(router_request(app, "/klimapfad"))
    assert "Biomethan-Anteil 2023 laut Stadtwerken" in page and "Umweltamt" in page
    after = app.get("/api/v1/pathway").get_json()
    assert after["observed"]["2023"] == pytest.approx(before["observed"]["2023"] - 820_000 * 0.047, abs=0.2)
    assert after["meta"]["factor_overrides"][0]["reason"].startswith("Gasnetz")
    rows = pd.DataFrame([(2024, "households", "natural_gas", 800_000.0, "A")],
                        columns=["year", "sector", "carrier", "mwh", "grade"])
    cockpit.store.import_balance(rows, {2024: 93_000}, "Stadt Test")  # 2024 has no factor in the shipped table
    page = text(router_request(app, "/klimapfad"))
    assert "2024: Faktoren für Erdgas aus dem letzten verfügbaren Vorjahr fortgeschrieben." in page
