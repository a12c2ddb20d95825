"""Contacts et assistance: each programme with its address (guide, section 4),
the BDC page naming its own, and the guide's section 3 notice on simultaneous
entries, as sigma handles them."""

import re

import pytest

from tests.factories import ActionFormationFactory
from training.models import Programme

ADDRESSES = {
    "QUALIF PRO": "qualifpro@laregion.fr",
    "PROJET PRO": "projetpro@laregion.fr",
    "LECTIO": "lectio@laregion.fr",
    "AVENIR": "avenir@laregion.fr",
}


def test_each_programme_has_its_address():
    assert {programme.label: programme.contact_email for programme in Programme} == ADDRESSES


def test_the_contacts_page_gives_each_programme_its_address(client, db):
    page = client.get("/contacts/").text

    for label, email in ADDRESSES.items():
        assert f'<li>{label}\u00a0: <a href="mailto:{email}">{email}</a></li>' in page


def test_the_contacts_page_gives_the_configured_region_address(client, db, settings):
    settings.SIGMA_REGION_EMAIL = "comptes-sigma@laregion.fr"

    assert 'href="mailto:comptes-sigma@laregion.fr"' in client.get("/contacts/").text


@pytest.mark.parametrize("programme", list(Programme))
def test_the_bdc_page_names_its_programmes_contact(client_of, secondary_account, programme):
    action = ActionFormationFactory(organisme=secondary_account.organisme, programme=programme)

    page = client_of(secondary_account).get(f"/actions/{action.pk}/").text

    email = ADDRESSES[programme.label]
    assert re.search(rf'<dt>Contact Région</dt><dd><a href="mailto:{re.escape(email)}">', page)
    others = set(ADDRESSES.values()) - {email}
    assert not any(other in page for other in others)


def test_the_bdc_page_says_how_simultaneous_entries_are_handled(client_of, secondary_account):
    action = ActionFormationFactory(organisme=secondary_account.organisme)

    page = client_of(secondary_account).get(f"/actions/{action.pk}/").text

    assert "Point de vigilance\u00a0: la saisie simultanée" in page
    assert "la seconde à enregistrer n’écrase pas la première sans le savoir" in page


def test_the_region_reading_a_bdc_is_not_given_the_organismes_notice(client_of, region_agent, organisme):
    action = ActionFormationFactory(organisme=organisme)

    page = client_of(region_agent).get(f"/actions/{action.pk}/").text

    assert "la saisie simultanée" not in page
