"""Linking, never guessing: a ProConnect identity reaches a sigma account only
once the person proved the account is theirs, or the organisme's primary
account accepted their demande d'accès."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from proconnect.models import AccessRequest, ProConnectLink
from tests.factories import PASSWORD, OrganismeFactory, UserFactory
from tests.two_factor import code_of

EMAIL = "aa1@aa.fr"


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def person(proconnect, secondary_account):
    """Someone whose ProConnect e-mail is that of an account of their organisme."""
    return proconnect.provider.add_person(EMAIL, sub="sub-aa1", siret=secondary_account.organisme.siret)


def test_the_same_email_alone_links_nothing_and_signs_nobody_in(client, proconnect, person, secondary_account):
    response = proconnect.sign_in(EMAIL)

    assert response["Location"] == reverse("proconnect:link")
    assert signed_in_as(client) is None
    assert not ProConnectLink.objects.exists()
    page = client.get(reverse("proconnect:link")).content.decode()
    assert "prouvez qu\u2019il est le vôtre" in page
    assert f'value="{secondary_account.identifiant}"' in page


def test_a_wrong_password_links_nothing_and_counts_toward_the_lockout(client, proconnect, person, secondary_account):
    proconnect.sign_in(EMAIL)

    response = client.post(
        reverse("proconnect:link"), {"identifiant": secondary_account.identifiant, "password": "pas-le-bon"}
    )

    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert not ProConnectLink.objects.exists()
    secondary_account.refresh_from_db()
    assert secondary_account.failed_login_count == 1


def test_proving_the_password_links_the_account_then_proconnect_alone_signs_in(
    client, proconnect, person, secondary_account
):
    proconnect.sign_in(EMAIL)
    response = client.post(
        reverse("proconnect:link"), {"identifiant": secondary_account.identifiant, "password": PASSWORD}
    )

    assert response["Location"] == reverse("proconnect:account")
    assert signed_in_as(client) == str(secondary_account.pk)
    assert ProConnectLink.objects.get(sub="sub-aa1").account == secondary_account
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PROCONNECT_LINKED)
    assert (entry.account, entry.actor) == (secondary_account, secondary_account)
    assert "identité ProConnect aa1@aa.fr" in client.get(reverse("proconnect:account")).content.decode()

    client.logout()
    assert proconnect.sign_in(EMAIL)["Location"] == reverse("dashboard:home")
    assert signed_in_as(client) == str(secondary_account.pk)


def test_another_accounts_password_does_not_link_it(client, proconnect, person, second_secondary_account):
    """The proof must be of an account that has the person's address."""
    proconnect.sign_in(EMAIL)
    client.post(reverse("proconnect:link"), {"identifiant": second_secondary_account.identifiant, "password": PASSWORD})

    assert not ProConnectLink.objects.exists()


def test_an_account_with_a_second_factor_links_after_its_code(client, proconnect, organisme):
    account = UserFactory(organisme=organisme, email="deux@organisme.fr", second_factor=True)
    proconnect.provider.add_person("deux@organisme.fr", sub="sub-deux", siret=organisme.siret)
    proconnect.sign_in("deux@organisme.fr")

    response = client.post(reverse("proconnect:link"), {"identifiant": account.identifiant, "password": PASSWORD})
    assert response["Location"] == reverse("accounts:login_code")
    assert not ProConnectLink.objects.exists()

    client.post(reverse("accounts:login_code"), {"code": code_of(account)})
    assert ProConnectLink.objects.get(sub="sub-deux").account == account


def test_removing_the_link_from_mon_compte(client, proconnect, person, secondary_account):
    ProConnectLink.objects.create(account=secondary_account, sub="sub-aa1", email=EMAIL)
    proconnect.sign_in(EMAIL)

    response = client.post(reverse("proconnect:account"))

    assert response["Location"] == reverse("proconnect:account")
    assert not ProConnectLink.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PROCONNECT_UNLINKED)
    assert (entry.account, entry.actor) == (secondary_account, secondary_account)
    client.logout()
    assert proconnect.sign_in(EMAIL)["Location"] == reverse("proconnect:link")
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("trait", "message"),
    [("blocked", "Votre compte est bloqué"), ("deactivated", "Votre compte est désactivé")],
)
def test_a_blocked_or_deactivated_linked_account_is_refused_as_with_a_password(
    client, proconnect, organisme, trait, message
):
    account = UserFactory(organisme=organisme, **{trait: True})
    ProConnectLink.objects.create(account=account, sub="sub-x", email="x@organisme.fr")
    proconnect.provider.add_person("x@organisme.fr", sub="sub-x", siret=organisme.siret)

    response = proconnect.sign_in("x@organisme.fr")

    assert response.status_code == 403
    assert message in response.content.decode()
    assert signed_in_as(client) is None


def test_a_deleted_linked_account_is_refused(client, proconnect, organisme, primary_account):
    from accounts import services

    account = UserFactory(organisme=organisme)
    ProConnectLink.objects.create(account=account, sub="sub-x", email="x@organisme.fr")
    services.delete_account(account, acting_account=primary_account)
    proconnect.provider.add_person("x@organisme.fr", sub="sub-x", siret=organisme.siret)

    response = proconnect.sign_in("x@organisme.fr")

    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_a_temporary_password_account_must_still_finish_its_first_login(client, proconnect, organisme):
    account = UserFactory(organisme=organisme, password_state=User.PasswordState.TEMPORARY)
    ProConnectLink.objects.create(account=account, sub="sub-t", email="t@organisme.fr")
    proconnect.provider.add_person("t@organisme.fr", sub="sub-t", siret=organisme.siret)

    proconnect.sign_in("t@organisme.fr")

    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accounts:credentials")


def test_an_unknown_siret_gets_the_explanation_and_nothing_is_created(client, proconnect, organisme):
    proconnect.provider.add_person("x@ailleurs.fr", sub="sub-ailleurs", siret="98765432100016")
    accounts = User.objects.count()

    response = proconnect.sign_in("x@ailleurs.fr")

    assert response.status_code == 403
    page = response.content.decode()
    assert "votre organisation n\u2019a pas accès à SIGMA" in page
    assert "contactez la Région" in page
    assert (User.objects.count(), AccessRequest.objects.count(), ProConnectLink.objects.count()) == (accounts, 0, 0)
    assert signed_in_as(client) is None


def test_another_organismes_account_with_the_same_email_is_never_offered(client, proconnect, organisme):
    """The SIRET decides the organisme: an account elsewhere with this address
    leads to a demande d'accès, not to a link."""
    UserFactory(organisme=OrganismeFactory(), email="meme@adresse.fr")
    proconnect.provider.add_person("meme@adresse.fr", sub="sub-meme", siret=organisme.siret)

    assert proconnect.sign_in("meme@adresse.fr")["Location"] == reverse("proconnect:access_request")


def test_a_one_time_link_to_the_address_proves_the_account_too(client, proconnect, person, secondary_account, mailbox):
    proconnect.sign_in(EMAIL)

    response = client.post(reverse("proconnect:link"), {"send_link": "1"})

    assert "vient d\u2019être envoyé à aa1@aa.fr" in response.content.decode()
    assert not ProConnectLink.objects.exists()
    link = next(url for url in mailbox.links(mailbox.last_to(EMAIL)) if "/acces/" in url)
    confirm = client.get(urlsplit(link).path, follow=True)
    assert confirm.status_code == 200
    client.post(reverse("accounts:password_link_confirm"))
    assert signed_in_as(client) == str(secondary_account.pk)
    assert ProConnectLink.objects.get(sub="sub-aa1").account == secondary_account


def test_the_primary_account_and_the_region_see_which_accounts_are_linked(
    client_of, proconnect, primary_account, secondary_account, region_agent
):
    ProConnectLink.objects.create(account=secondary_account, sub="sub-aa1", email="camille@pro.fr")
    line = f"{secondary_account.full_name} ({secondary_account.identifiant}) : identité ProConnect camille@pro.fr"

    organisme_page = client_of(primary_account).get(reverse("organisations:organisme_detail")).content.decode()
    assert line in organisme_page
    region_page = client_of(region_agent).get(reverse("region:organisme_detail", args=[secondary_account.organisme.pk]))
    assert line in region_page.content.decode()
