"""The déclaration d'accessibilité that French law requires of a public service
(article 47 of loi n° 2005-102, RGAA 4.1 model), readable without logging in."""


def test_accessibility_statement_gives_the_legal_elements_without_login(client, db, page_of):
    response = client.get("/accessibilite/")

    assert response.status_code == 200
    text = page_of(response).text
    for expected in [
        "La Région Occitanie Pyrénées - Méditerranée s’engage à rendre ses services numériques accessibles",
        "article 47 de la loi n° 2005-102 du 11 février 2005",
        # No RGAA audit yet: the RGAA then requires "non conforme", whatever the automated tests say.
        "SIGMA FP est non conforme avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1.",
        "Cette déclaration a été établie le 26 novembre 2026.",
        "axe-core",
        "au clavier seul",
        "Contenus non accessibles",
        "sigma@laregion.fr",
        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07",
    ]:
        assert expected in text


def test_accessibility_statement_is_linked_from_a_logged_in_page(client_of, primary_account, page_of):
    page = page_of(client_of(primary_account).get("/"))

    assert page.href("Accessibilité : non conforme") == "/accessibilite/"
