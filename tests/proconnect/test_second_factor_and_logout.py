"""Where two factors are needed, sigma asks ProConnect for them (the `claims`
parameter) and trusts only the acr that comes back; otherwise its own second
factor follows. The sign-out ends the ProConnect session too."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from proconnect.client import TWO_FACTOR_ACRS
from proconnect.models import ProConnectLink
from tests.factories import UserFactory
from tests.oidc_provider.provider import path_of

EMAIL = "deux@organisme.fr"


def query(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def with_second_factor(proconnect, organisme):
    account = UserFactory(organisme=organisme, email=EMAIL, second_factor=True)
    ProConnectLink.objects.create(account=account, sub="sub-2fa", email=EMAIL)
    return account


def step_up(client, proconnect, **person):
    """The first sign-in (one factor), which sends the browser back to
    ProConnect asking for two; returns that URL."""
    response = proconnect.sign_in(EMAIL)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(proconnect.provider.issuer)
    return location


def test_sigma_asks_proconnect_for_two_factors_and_accepts_them(client, proconnect, organisme, with_second_factor):
    proconnect.provider.add_person(EMAIL, sub="sub-2fa", siret=organisme.siret, two_factor=True)

    location = step_up(client, proconnect)

    claims = json.loads(query(location)["claims"])
    assert claims["id_token"]["acr"] == {"essential": True, "values": list(TWO_FACTOR_ACRS)}
    assert client.session.get("_auth_user_id") is None
    callback = path_of(proconnect.provider.sign_in(location, email=EMAIL, code="123456"))
    assert client.get(callback)["Location"] == reverse("dashboard:home")
    assert client.session["_auth_user_id"] == str(with_second_factor.pk)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_one_factor_from_proconnect_leads_to_sigmas_own_code(client, proconnect, organisme, with_second_factor):
    proconnect.provider.add_person(EMAIL, sub="sub-2fa", siret=organisme.siret, two_factor=False)

    location = step_up(client, proconnect)
    callback = path_of(proconnect.provider.sign_in(location, email=EMAIL))

    assert client.get(callback)["Location"] == reverse("accounts:login_code")
    assert client.session.get("_auth_user_id") is None


def test_two_factors_from_proconnect_satisfy_an_organisme_that_requires_them(client, proconnect, organisme):
    organisme.two_factor_required = True
    organisme.save()
    account = UserFactory(organisme=organisme, email=EMAIL)
    ProConnectLink.objects.create(account=account, sub="sub-2fa", email=EMAIL)
    proconnect.provider.add_person(EMAIL, sub="sub-2fa", siret=organisme.siret, two_factor=True)

    location = step_up(client, proconnect)
    client.get(path_of(proconnect.provider.sign_in(location, email=EMAIL, code="123456")))

    assert client.get(reverse("dashboard:home")).status_code == 200


def test_one_factor_in_such_an_organisme_goes_to_enrolment(client, proconnect, organisme):
    organisme.two_factor_required = True
    organisme.save()
    account = UserFactory(organisme=organisme, email=EMAIL)
    ProConnectLink.objects.create(account=account, sub="sub-2fa", email=EMAIL)
    proconnect.provider.add_person(EMAIL, sub="sub-2fa", siret=organisme.siret, two_factor=False)

    location = step_up(client, proconnect)
    client.get(path_of(proconnect.provider.sign_in(location, email=EMAIL)))

    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accounts:two_factor_enrol")


def test_signing_out_ends_the_proconnect_session_too(client, proconnect, secondary_account):
    ProConnectLink.objects.create(account=secondary_account, sub="sub-out", email=EMAIL)
    proconnect.provider.add_person(EMAIL, sub="sub-out", siret=secondary_account.organisme.siret)
    proconnect.sign_in(EMAIL)
    id_token = client.session["proconnect_id_token"]

    response = client.post(reverse("accounts:logout"))

    end_session = response["Location"]
    assert end_session.startswith(f"{proconnect.provider.issuer}/session/end")
    params = query(end_session)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/proconnect/deconnexion/"
    assert client.session.get("_auth_user_id") is None
    back = client.get(reverse("proconnect:logged_out"), {"state": params["state"]}, follow=True)
    assert "Vous êtes également déconnecté de ProConnect." in back.content.decode()


def test_a_password_session_signs_out_as_before(client, proconnect, secondary_account, password):
    client.post(reverse("accounts:login"), {"identifiant": secondary_account.identifiant, "password": password})

    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")
