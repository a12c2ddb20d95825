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
