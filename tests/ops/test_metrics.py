"""/metrics: Prometheus figures for the Region's team, for its scraper only."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.accounts.login import log_in
from tests.factories import PASSWORD, UserFactory

TOKEN = "jeton-de-collecte-des-metriques-0123456789"
WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"


@pytest.fixture
def scrape(settings):
    """`scrape()`: the metrics page as the scraper reads it, {name: {labels: value}}."""
    settings.METRICS_TOKEN = TOKEN

    def read():
        response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                # Keyed by label values in label-name order.
                labels = tuple(value for _name, value in sorted(sample.labels.items()))
                samples.setdefault(sample.name, {})[labels] = sample.value
        return samples

    return read


def logins(samples):
    return {outcome: value for (outcome,), value in samples["sigma_logins_total"].items()}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer mauvais-jeton"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
    ],
)
def test_without_the_token_there_is_no_metrics_page(client, db, settings, headers):
    settings.METRICS_TOKEN = TOKEN

    assert client.get("/metrics", headers=headers).status_code == 404


def test_without_a_configured_token_nobody_gets_the_metrics(client, db, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_request_counts_and_latencies_by_view(client, db, scrape):
    before = scrape()
    client.get("/connexion/")
    after = scrape()

    key = ("GET", "http", "accounts:login")
    counts = "django_http_requests_total_by_view_transport_method_total"
    assert after[counts][key] - before[counts].get(key, 0) == 1
    latencies = "django_http_requests_latency_seconds_by_view_method_count"
    assert after[latencies][("GET", "accounts:login")] - before[latencies].get(("GET", "accounts:login"), 0) == 1


def test_logins_are_counted_by_outcome(client, secondary_account, scrape, django_capture_on_commit_callbacks):
    UserFactory(identifiant="desactive", deactivated=True)
    before = scrape()

    log_in(Client(), "test.identifiant", PASSWORD)
    log_in(client, "inconnu", WRONG_PASSWORD)
    log_in(client, "desactive", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(3):
            log_in(client, "test.identifiant", WRONG_PASSWORD)
    log_in(client, "test.identifiant", PASSWORD)
    after = scrape()

    counted = {outcome: logins(after)[outcome] - logins(before)[outcome] for outcome in logins(after)}
    assert counted == {
        "success": 1,
        "unknown_identifiant": 1,
        "inactive": 1,
        "wrong_password": 3,
        "blocked": 1,
    }
    assert after["sigma_accounts_blocked_total"][()] - before["sigma_accounts_blocked_total"][()] == 1


def test_outgoing_emails_are_counted_by_status(client_of, primary_account, mailbox, scrape):
    client_of(primary_account).post(
        "/organisme/comptes/nouveau/",
        {"civilite": "madame", "last_name": "GARONNE", "first_name": "Alice", "email": "alice@exemple.fr"},
    )

    queued = scrape()["sigma_outgoing_emails"]
    assert (queued[("queued",)], queued[("sent",)], queued[("failed",)]) == (1, 0, 0)
    mailbox.last_to("alice@exemple.fr")
    delivered = scrape()["sigma_outgoing_emails"]
    assert (delivered[("queued",)], delivered[("sent",)], delivered[("failed",)]) == (0, 1, 0)
