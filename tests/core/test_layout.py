import re

import pytest

FRENCH_DATE = re.compile(
    r'<p class="session-date">(Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi|Dimanche) \d{2} '
    r"(janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.) \d{4} \d{2}:\d{2}</p>"
)


def test_header_greets_the_user_and_gives_the_date_in_french(client_of, primary_account):
    page = client_of(primary_account).get("/").text
    assert "Bonjour BLA PAU" in page
    assert FRENCH_DATE.search(page)
    assert 'lang="fr"' in page


def test_primary_account_sees_gestion_organisme_in_the_menu(client_of, primary_account):
    page = client_of(primary_account).get("/").text
    assert ">Gestion organisme</a>" in page


@pytest.mark.parametrize("account_fixture", ["secondary_account", "region_agent"])
def test_other_accounts_do_not_see_gestion_organisme(request, client_of, account_fixture):
    account = request.getfixturevalue(account_fixture)
    page = client_of(account).get("/").text
    assert "Gestion organisme" not in page
    assert ">Accueil</a>" in page


def test_every_page_links_to_contacts_et_assistance(client, db):
    assert 'href="/contacts/">Contacts et assistance</a>' in client.get("/connexion/").text


def test_every_page_links_to_the_accessibility_statement(client, db):
    assert 'href="/accessibilite/">Accessibilité : non conforme</a>' in client.get("/connexion/").text


def test_contacts_page_holds_the_guide_last_section_without_login(client, db):
    page = client.get("/contacts/").text
    for expected in [
        "01 53 43 05 44",
        "support.mpe@atexo.com",
        "sigma@laregion.fr",
        "qualifpro@laregion.fr",
        "lectio@laregion.fr",
        "avenir@laregion.fr",
        "projetpro@laregion.fr",
        "selfi@laregion.fr",
    ]:
        assert expected in page


def test_logout_is_a_post_that_ends_the_session(client_of, primary_account):
    client = client_of(primary_account)
    assert client.get("/deconnexion/").status_code == 405
    response = client.post("/deconnexion/", follow=True)
    assert "Vous êtes déconnecté." in response.text
    assert client.get("/").status_code == 302


def test_pages_forbid_inline_scripts_and_framing(client, db):
    response = client.get("/connexion/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all('src="/static/' in attributes and not body.strip() for attributes, body in scripts)
    assert response.headers["X-Frame-Options"] == "DENY"
