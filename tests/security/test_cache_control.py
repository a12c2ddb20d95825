"""What browsers may keep (issue 14, F5). Every page and download of the access
matrix carries no-store (tests/security/test_access_matrix.py); static files,
which hold nothing personal, stay cacheable."""


def test_static_files_stay_cacheable(client, db):
    response = client.get("/static/css/sigma.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_history_export_is_not_kept_by_the_browser(client_of, region_agent):
    response = client_of(region_agent).get("/region/historique/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
