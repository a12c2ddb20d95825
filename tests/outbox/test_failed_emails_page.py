"""Espace Région > Courriels en échec: what could not be delivered, why, and
Renvoyer; and the last e-mail of each account beside it in the lists."""

import pytest

from audit.models import AuditEntry
from outbox.models import OutgoingEmail
from tests.factories import UserFactory

PAGE = "/region/courriels/"


def failed_email(account, error="550 5.1.1 Adresse inconnue"):
    return OutgoingEmail.objects.create(
        to=account.email,
        account=account,
        template="account_created",
        subject="Identifiant de connexion SIGMA",
        text_body="Bonjour",
        html_body="<p>Bonjour</p>",
        status=OutgoingEmail.Status.FAILED,
        attempt_count=9,
        last_error=error,
    )


def resend_url(email):
    return f"{PAGE}{email.pk}/renvoyer/"


def test_a_region_agent_sees_each_failed_email_with_its_error(client_of, region_agent, secondary_account, page_of):
    failed_email(secondary_account)

    page = page_of(client_of(region_agent).get(PAGE))

    assert "Courriels en échec" in page.text
    (row,) = page.rows
    assert "NOM TEST COMPTE" in row[1] and "aa1@aa.fr" in row[1]
    assert row[2] == "Identifiant de connexion SIGMA"
    assert row[3] == "9"
    assert row[4] == "550 5.1.1 Adresse inconnue"
    assert "Renvoyer" in row[5]


def test_delivered_and_waiting_emails_are_not_listed_as_failed(client_of, region_agent, secondary_account, page_of):
    failed_email(secondary_account)
    OutgoingEmail.objects.update(status=OutgoingEmail.Status.SENT)

    page = page_of(client_of(region_agent).get(PAGE))

    assert page.rows == []
    assert "Aucun courriel en échec." in page.text


def test_renvoyer_delivers_the_email_once_and_is_audited(client_of, region_agent, secondary_account, mailbox, page_of):
    email = failed_email(secondary_account)
    agent = client_of(region_agent)

    response = agent.post(resend_url(email), follow=True)

    assert "va être renvoyé" in page_of(response).text
    assert [message["Subject"] for message in mailbox.to("aa1@aa.fr")] == ["Identifiant de connexion SIGMA"]
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EMAIL_RESENT)
    assert (entry.actor, entry.account) == (region_agent, secondary_account)

    agent.post(resend_url(email))
    assert len(mailbox.to("aa1@aa.fr")) == 1, "a delivered e-mail is not sent again"


def test_renvoyer_is_a_post(client_of, region_agent, secondary_account):
    email = failed_email(secondary_account)
    assert client_of(region_agent).get(resend_url(email)).status_code == 405
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED


@pytest.mark.parametrize("who", ["primary_account", "secondary_account"])
def test_organisme_accounts_may_neither_see_nor_resend_failed_emails(request, client_of, who, secondary_account):
    email = failed_email(secondary_account)
    client = client_of(request.getfixturevalue(who))

    assert client.get(PAGE).status_code == 403
    assert client.post(resend_url(email)).status_code == 403
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED


def test_anonymous_visitors_are_sent_to_the_login_page(client, secondary_account):
    email = failed_email(secondary_account)
    assert client.get(PAGE)["Location"].startswith("/connexion/")
    assert client.post(resend_url(email))["Location"].startswith("/connexion/")


def test_the_primary_account_sees_the_last_email_of_each_account_and_whether_it_arrived(
    client_of, primary_account, secondary_account, page_of, mailbox
):
    other = UserFactory(organisme=primary_account.organisme, email="bb@aa.fr")
    failed_email(other)
    manager = client_of(primary_account)
    manager.post(f"/organisme/comptes/{secondary_account.pk}/regenerer/")
    assert mailbox.to("aa1@aa.fr"), "the worker delivered it"

    page = page_of(manager.get("/organisme/comptes/"))

    last_emails = dict(zip(page.column("Courriel d’envoi des accès"), page.column("Dernier courriel"), strict=True))
    assert "remis le" in last_emails["aa1@aa.fr"]
    assert "échec de l\u2019envoi" in last_emails["bb@aa.fr"]


def test_the_region_sees_the_last_email_of_the_primary_account_too(
    client_of, region_agent, primary_account, organisme, page_of
):
    failed_email(primary_account)
    page = page_of(client_of(region_agent).get(f"/region/organismes/{organisme.pk}/"))
    assert "Dernier courriel : Identifiant de connexion SIGMA" in page.text
    assert "échec de l\u2019envoi" in page.text
