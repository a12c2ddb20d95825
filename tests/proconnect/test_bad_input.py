"""Each way a ProConnect sign-in can be tampered with or fail, against the
real provider (tokens it signed, or its refusals): a French page, nobody
signed in, nothing created, never a 500."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from proconnect.models import AccessRequest, ProConnectLink
from tests.factories import PASSWORD

EMAIL = "camille@organisme.fr"


@pytest.fixture
def linked(proconnect, secondary_account):
    """A person whose ProConnect identity is linked to a sigma account: any
    flaw the checks let through would sign them in."""
    ProConnectLink.objects.create(account=secondary_account, sub="sub-linked", email=EMAIL)
    proconnect.provider.add_person(EMAIL, sub="sub-linked", siret=secondary_account.organisme.siret)
    return secondary_account


def stored():
    return (
        User.objects.count(),
        ProConnectLink.objects.count(),
        AccessRequest.objects.count(),
        AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_SUCCEEDED).count(),
    )


def assert_refused(client, response, *, status=400, words="n’a pas pu être vérifiée"):
    assert response.status_code == status
    page = response.content.decode()
    assert "Connexion avec ProConnect" in page
    assert words in page
    assert "_auth_user_id" not in client.session


def with_query(url, **changes):
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()} | changes
    return f"{parts.path}?{urlencode(query)}"


def test_a_forged_state_is_refused(client, proconnect, linked):
    before = stored()
    response = client.get(with_query(proconnect.provider_return(EMAIL), state="forged-state"))
    assert_refused(client, response)
    assert stored() == before


def test_a_state_from_another_browser_is_refused(client, proconnect, linked, django_app_client):
    """The state is bound to the session that started the sign-in."""
    callback = proconnect.provider_return(EMAIL)
    before = stored()
    response = django_app_client.get(callback)
    assert response.status_code == 400
    assert "_auth_user_id" not in django_app_client.session
    assert stored() == before


def test_a_replayed_state_is_refused(client, proconnect, linked):
    callback = proconnect.provider_return(EMAIL)
    assert client.get(callback)["Location"] == reverse("dashboard:home")
    client.logout()
    before = stored()
    assert_refused(client, client.get(callback))
    assert stored() == before


def test_a_replayed_code_is_refused(client, proconnect, linked):
    """The provider takes a code once: a code already used, sent with the
    state of a new sign-in, is refused by ProConnect and shown as such."""
    first = proconnect.provider_return(EMAIL)
    assert client.get(first)["Location"] == reverse("dashboard:home")
    client.logout()
    fresh_state = parse_qs(urlsplit(proconnect.start()).query)["state"][0]
    before = stored()
    assert_refused(client, client.get(with_query(first, state=fresh_state)))
    assert stored() == before


# What each is refused for, as the operators' log says.
REFUSALS = {
    "nonce": "Invalid claim: 'nonce'",
    "audience": "Invalid claim: 'aud'",
    "audience_with_azp": "Invalid claim: 'aud'",
    "expired": "The token is expired",
    "unknown_key": "No key for kid",
    "alg_none": "Algorithm of 'none' is not allowed",
    "issuer": "Invalid claim: 'iss'",
    "userinfo_sub": "userinfo sub differs from the ID token’s",
}


@pytest.mark.parametrize("misbehaviour", list(REFUSALS))
def test_a_token_that_fails_its_checks_is_refused(client, proconnect, linked, misbehaviour, caplog):
    proconnect.provider.misbehave(misbehaviour)
    before = stored()
    assert_refused(client, proconnect.sign_in(EMAIL))
    assert stored() == before
    assert REFUSALS[misbehaviour] in caplog.text


def test_the_provider_refusing_the_sign_in_is_shown(client, proconnect, linked):
    callback = proconnect.provider_return(EMAIL)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = client.get(reverse("proconnect:callback"), {"error": "access_denied", "state": state})
    assert_refused(client, response)


@pytest.mark.parametrize(
    "siret",
    [None, "", "1234567890123X", "123 456 789 00012", "\u0661" * 14],
    ids=["missing", "empty", "letter", "spaces", "arabic-indic-digits"],
)
def test_a_missing_or_malformed_siret_is_refused(client, proconnect, organisme, siret):
    proconnect.provider.add_person("nouveau@organisme.fr", sub="sub-new", siret=siret)
    before = stored()
    response = proconnect.sign_in("nouveau@organisme.fr")
    assert_refused(client, response, words="n’a pas indiqué le numéro SIRET")
    assert stored() == before


def test_the_provider_down_gets_a_french_page_and_password_login_works(client, proconnect, settings, secondary_account):
    settings.PROCONNECT_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    response = client.post(reverse("proconnect:start"))
    assert_refused(client, response, status=503, words="ProConnect ne répond pas pour le moment")
    response = client.post(
        reverse("accounts:login"), {"identifiant": secondary_account.identifiant, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(secondary_account.pk)


# Waits for sigma's timeout on the provider: seconds of its own.
@pytest.mark.slow
def test_a_slow_provider_times_out_and_password_login_works(client, proconnect, linked):
    proconnect.provider.misbehave("slow", delay_seconds=4)
    before = stored()
    assert_refused(client, proconnect.sign_in(EMAIL), status=503, words="ProConnect ne répond pas pour le moment")
    assert stored() == before
    response = client.post(reverse("accounts:login"), {"identifiant": linked.identifiant, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(linked.pk)
    assert response.status_code == 302


# Restarts the provider's process.
@pytest.mark.slow
def test_keys_rotated_by_the_provider_are_fetched_again(client, proconnect, linked):
    assert proconnect.sign_in(EMAIL)["Location"] == reverse("dashboard:home")
    client.logout()
    proconnect.provider.restart()
    assert proconnect.sign_in(EMAIL)["Location"] == reverse("dashboard:home")
