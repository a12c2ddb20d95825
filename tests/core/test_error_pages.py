from django.test import Client


def test_unknown_page_answers_in_french(client, db):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_unknown_page_for_a_logged_in_user_is_a_french_404(client_of, primary_account):
    response = client_of(primary_account).get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_forbidden_page_is_french(client_of, secondary_account):
    response = client_of(secondary_account).get("/organisme/comptes/")
    assert response.status_code == 403
    assert "Accès refusé" in response.text


def test_a_form_posted_without_its_security_token_gets_a_french_page(db):
    response = Client(enforce_csrf_checks=True).post("/connexion/", {"identifiant": "x", "password": "y"})
    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.text


# Django renders 400.html without the request (the request is what is wrong):
# like 500.html, the page stands alone.
def test_a_request_for_an_unknown_host_gets_a_french_page(client, db):
    response = client.get("/", HTTP_HOST="sigma.exemple.invalid")
    assert response.status_code == 400
    assert "Requête invalide" in response.text
    assert '<html lang="fr">' in response.text


def test_a_malformed_request_gets_a_french_page(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post("/connexion/", {f"champ{number}": "x" for number in range(11)})
    assert response.status_code == 400
    assert "Requête invalide" in response.text
