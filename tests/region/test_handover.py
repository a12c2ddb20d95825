"""Espace Région: Transférer le rôle de compte principal. A Region agent makes
one of the organisme's active secondary accounts its primary account at once;
the former primary account becomes a secondary account or is deactivated."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from tests.accounts.login import is_logged_in
from tests.factories import UserFactory
from tests.pages import squeeze

HANDED_OVER = "Le rôle de compte principal de l’organisme ORGANISME TEST PRF 23 a bien été transféré à Monsieur GU Be."


def hand_over_url(organisme):
    return f"/region/organismes/{organisme.pk}/transfert/"


def primaries(organisme):
    return list(User.objects.filter(organisme=organisme, kind=User.Kind.PRIMARY, deleted_at=None))


def options(response, name):
    """The values and labels offered by the <select> or radio buttons `name`."""
    page = response.content.decode()
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select:
        return [
            (value, squeeze(label))
            for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(1), re.S)
        ]
    return [
        (value, squeeze(label))
        for value, label in re.findall(
            rf'<input type="radio" name="{name}" value="([^"]*)"[^>]*>\s*(.*?)</label>', page, re.S
        )
    ]


@pytest.fixture
def successor(second_secondary_account):
    """Monsieur GU Be, the secondary account that takes the role."""
    return second_secondary_account


def test_the_page_offers_the_organisme_active_secondary_accounts(
    agent, page_of, organisme, primary_account, successor, secondary_account, other_secondary_account
):
    UserFactory(organisme=organisme, last_name="DESACTIVE", deactivated=True)
    UserFactory(organisme=organisme, last_name="BLOQUE", blocked=True)
    UserFactory(organisme=organisme, last_name="SUPPRIME", deleted_at=timezone.now())

    response = agent.get(hand_over_url(organisme))

    assert response.status_code == 200
    page = page_of(response)
    assert "Transférer le rôle de compte principal" in page.text
    assert "Compte principal actuel : Madame BLA PAU (identifiant 66bdj5zw4x)." in page.text
    assert options(response, "new_primary") == [
        ("", "Choisir un compte secondaire actif"),
        (str(successor.pk), "Monsieur GU Be (8wwapv3bzk)"),
        (str(secondary_account.pk), "Madame NOM TEST COMPTE PRENOM TEST COMPTE (test.identifiant)"),
    ]
    assert options(response, "former_primary_becomes") == [
        ("secondary", "compte secondaire"),
        ("deactivated", "désactivé"),
    ]
    assert "Le compte principal actuel devient :" in page.text


def test_region_agent_hands_the_role_over(mailbox, agent, page_of, organisme, primary_account, successor):
    response = agent.post(
        hand_over_url(organisme), {"new_primary": successor.pk, "former_primary_becomes": "secondary"}, follow=True
    )

    organisme_page = reverse("region:organisme_detail", args=[organisme.pk])
    assert response.redirect_chain == [(organisme_page, 302)]
    assert HANDED_OVER in page_of(response).text
    assert primaries(organisme) == [successor]
    former = User.objects.get(pk=primary_account.pk)
    assert (former.kind, former.is_active) == (User.Kind.SECONDARY, True)
    assert {message["To"] for message in mailbox.messages} == {"aa@aa.fr", primary_account.email}


def test_region_agent_hands_the_role_over_and_deactivates_the_former_primary(
    agent, organisme, primary_account, successor, browser_of, region_agent
):
    former_browser = browser_of(primary_account)

    response = agent.post(
        hand_over_url(organisme), {"new_primary": successor.pk, "former_primary_becomes": "deactivated"}
    )

    assert response.status_code == 302
    former = User.objects.get(pk=primary_account.pk)
    assert (former.kind, former.is_active) == (User.Kind.SECONDARY, False)
    assert primaries(organisme) == [successor]
    assert not is_logged_in(former_browser)
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.ROLE_HANDED_OVER)
    assert (entry.actor, entry.changes["former_primary_becomes"]) == (region_agent, "deactivated")


@pytest.fixture(params=["the primary account", "deactivated", "other organisme", "nobody"])
def forged_choice(request, organisme, primary_account, other_secondary_account):
    """A value for "Nouveau compte principal" that the page does not offer."""
    match request.param:
        case "the primary account":
            return primary_account.pk
        case "deactivated":
            return UserFactory(organisme=organisme, deactivated=True).pk
        case "other organisme":
            return other_secondary_account.pk
        case _:
            return 999_999


def test_a_forged_choice_is_refused(
    agent, field_errors, organisme, primary_account, successor, forged_choice, stored_state
):
    before = stored_state()

    response = agent.post(
        hand_over_url(organisme), {"new_primary": forged_choice, "former_primary_becomes": "secondary"}
    )

    assert response.status_code == 200
    assert field_errors(response, "new_primary") == [
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    ]
    assert stored_state() == before
    assert primaries(organisme) == [primary_account]


def test_what_becomes_of_the_former_primary_is_one_of_the_two_choices(
    agent, field_errors, page_of, organisme, primary_account, successor, stored_state
):
    before = stored_state()

    response = agent.post(hand_over_url(organisme), {"new_primary": successor.pk, "former_primary_becomes": "deleted"})

    assert response.status_code == 200
    assert field_errors(response, "new_primary") == []
    assert "Sélectionnez un choix valide. deleted n\u2019en fait pas partie." in page_of(response).text
    assert stored_state() == before


def test_an_organisme_without_active_secondary_accounts_has_nobody_to_hand_over_to(
    agent, page_of, organisme, primary_account
):
    page = page_of(agent.get(hand_over_url(organisme)))

    assert "Cet organisme n’a aucun compte secondaire actif" in page.text
    assert "Valider" not in page.text


def test_an_unknown_organisme_is_not_found(agent, region_agent):
    assert agent.get("/region/organismes/999999/transfert/").status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["primary account", "secondary account", "other organisme primary account"])
def test_only_region_agents_hand_the_role_over(
    method, who, browser_of, organisme, primary_account, successor, other_primary_account, stored_state
):
    browser = browser_of(
        {
            "primary account": primary_account,
            "secondary account": successor,
            "other organisme primary account": other_primary_account,
        }[who]
    )
    before = stored_state()

    response = getattr(browser, method)(
        hand_over_url(organisme), {"new_primary": successor.pk, "former_primary_becomes": "deactivated"}
    )

    assert response.status_code == 403
    assert stored_state() == before
    assert primaries(organisme) == [primary_account]


def test_anonymous_visitor_is_sent_to_the_login_page(client, organisme, primary_account, successor, stored_state):
    before = stored_state()

    response = client.post(
        hand_over_url(organisme), {"new_primary": successor.pk, "former_primary_becomes": "secondary"}
    )

    assert response.status_code == 302
    assert urlsplit(response.url).path == "/connexion/"
    assert stored_state() == before
