import re

from django.urls import reverse

from audit.models import AuditEntry
from proconnect.models import ProConnectLink


def test_login_page_shows_the_button_only_when_configured(client, settings, db):
    settings.PROCONNECT_DISCOVERY_URL = ""
    assert "proconnect-button" not in client.get(reverse("accounts:login")).content.decode()
    assert client.post(reverse("proconnect:start")).status_code == 404


def test_login_page_shows_proconnect_button_and_explanation(client, proconnect):
    page = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r'<button type="submit" class="proconnect-button">.*ProConnect</span></button>', page)
    assert "Qu\N{RIGHT SINGLE QUOTATION MARK}est-ce que ProConnect ?</a>" in page


def test_a_linked_account_signs_in_with_proconnect(client, proconnect, secondary_account):
    ProConnectLink.objects.create(account=secondary_account, sub="sub-1", email="camille@organisme.fr")
    proconnect.provider.add_person("camille@organisme.fr", sub="sub-1", siret=secondary_account.organisme.siret)

    response = proconnect.sign_in("camille@organisme.fr")

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).wsgi_request.user == secondary_account
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_SUCCEEDED, account=secondary_account).exists()


def test_the_pages_let_forms_lead_to_proconnect_and_nowhere_else(client, proconnect):
    """The button and the sign-out redirect to ProConnect: the Content Security
    Policy's form-action names its origin, besides sigma's own."""
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    form_action = next(part.split()[1:] for part in policy.split(";") if part.strip().startswith("form-action"))
    assert form_action == ["'self'", proconnect.provider.issuer]


def test_without_proconnect_forms_lead_to_sigma_only(client, db):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "form-action 'self';" in policy
