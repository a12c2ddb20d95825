import pytest

from tests.factories import FactureFactory, UserFactory
from training.models import Inscription


def pages_of(action, inscription, period):
    base = f"/actions/{action.pk}/"
    return {
        "BDC": base,
        "inscription": f"{base}inscriptions/{inscription.pk}/",
        "heures": f"{base}periodes/{period.pk}/",
        "valider": f"{base}periodes/{period.pk}/valider/",
    }


@pytest.fixture
def foreign_pages(other_action):
    """Every page of another organisme's BDC."""
    inscription = Inscription.objects.create(action=other_action)
    period = other_action.periodes.create(mois="2026-10-01")
    return pages_of(other_action, inscription, period)


@pytest.fixture
def own_pages(action, seat, period):
    return pages_of(action, seat, period)


@pytest.fixture(params=["primary", "secondary"])
def organisme_account(request, primary_account, secondary_account):
    return {"primary": primary_account, "secondary": secondary_account}[request.param]


def test_organisme_lists_only_its_own_actions(client_of, organisme_account, page_of, action, other_action):
    page = page_of(client_of(organisme_account).get("/actions/"))

    assert page.column("N° de BDC") == ["BDC-2026-0042"]
    assert "Organisme" not in page.headers


def test_organisme_sees_only_its_own_invoices(client_of, organisme_account, page_of, action, other_action):
    FactureFactory(action=action, numero="FAC-MOI")
    FactureFactory(action=other_action, numero="FAC-AUTRE")

    assert page_of(client_of(organisme_account).get("/actions/factures/")).column("N° de facture") == ["FAC-MOI"]


@pytest.mark.parametrize("page", ["BDC", "inscription", "heures", "valider"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisme_bdc_is_not_found(client_of, organisme_account, foreign_pages, other_action, page, method):
    browser = client_of(organisme_account)

    response = getattr(browser, method)(foreign_pages[page], {"version": 1, "nom": "PIRATE"})

    # Validating is POST only: a GET is refused for its method, the same for any action.
    assert response.status_code == (405 if (page, method) == ("valider", "get") else 404)
    assert not other_action.periodes.filter(validated_at__isnull=False).exists()
    assert not other_action.inscriptions.filter(stagiaire__isnull=False).exists()


@pytest.mark.parametrize("page", ["BDC", "inscription", "heures"])
def test_organisme_accounts_open_their_own_pages(client_of, organisme_account, own_pages, page):
    assert client_of(organisme_account).get(own_pages[page]).status_code == 200


def test_region_agent_sees_every_bdc_but_edits_none(client_of, region_agent, page_of, own_pages, foreign_pages, period):
    agent = client_of(region_agent)

    assert agent.get(own_pages["BDC"]).status_code == 200
    assert agent.get(foreign_pages["BDC"]).status_code == 200
    assert "Valider la période" not in page_of(agent.get(own_pages["BDC"])).text
    assert agent.get(own_pages["inscription"]).status_code == 403
    assert agent.post(own_pages["valider"], {"version": 1}).status_code == 403
    period.refresh_from_db()
    assert not period.is_validated


@pytest.mark.parametrize("page", ["BDC", "inscription", "heures", "valider"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, own_pages, page):
    response = client.post(own_pages[page]) if page == "valider" else client.get(own_pages[page])

    assert response.status_code == 302
    assert response.url.startswith("/connexion/")


def test_anonymous_visitor_cannot_list_actions(client, action):
    assert client.get("/actions/").url.startswith("/connexion/")
    assert client.get("/actions/factures/").url.startswith("/connexion/")


def test_deactivated_account_sees_no_action(client_of, organisme, action, page_of):
    sleeping = UserFactory(organisme=organisme, deactivated=True)

    response = client_of(sleeping).get(f"/actions/{action.pk}/")

    # A deactivated account's session counts for nothing: back to the login page.
    assert response.status_code == 302
    assert response.url.startswith("/connexion/")
