"""GET /api/councils and /api/councils/{id}: the council profiles with their sources, as `formgen councils --json`."""

from __future__ import annotations

from flask.testing import FlaskClient

from formgen.core.councils import all_councils, council_json


def test_every_council_with_its_sources(client: FlaskClient) -> None:
    response = client.get("/api/councils")
    assert response.status_code == 200
    assert response.json == [council_json(profile) for profile in all_councils().values()]


def test_one_council_and_what_it_still_has_to_confirm(client: FlaskClient) -> None:
    entry = client.get("/api/councils/herefordshire").json
    assert entry["name"] == "Herefordshire Council"
    follow_up = next(s for s in entry["settings"] if s["key"] == "follow_up")
    assert follow_up["source"] | {"note": ""} == {
        "status": "not-confirmed", "set_by": "formgen, for the council to confirm", "source": "",
        "confirmed_by": "", "confirmed_on": None, "until_confirmed": "print", "note": ""}
    assert "follow_up" in [s["key"] for s in entry["to_confirm"]["settings"]]


def test_an_unknown_council_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/councils/leeds")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "Unknown council"
