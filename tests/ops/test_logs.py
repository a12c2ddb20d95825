"""Structured logs: a request id on every line and in the response, one line
per request, and never a password, a one-time link or its token."""

import logging
import re

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import PASSWORD

NEW_PASSWORD = "Canal-du-Midi-Toulouse-31!"


def test_each_response_carries_a_new_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21.01"})

    assert response["X-Request-ID"] == "lb-7f3a9c21.01"


def test_an_unsafe_incoming_request_id_is_replaced(client):
    for unsafe in ("a b", "x" * 129, "id\u00e9", "<script>"):
        response = client.get("/healthz", headers={"X-Request-ID": unsafe})
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_line_of_a_request_carries_its_id(client, db, captured_logs):
    response = client.get("/page-inexistante/?q=1")

    request_id = response["X-Request-ID"]
    lines = captured_logs.records
    assert {line["logger"] for line in lines} >= {"django.request", "sigma.requests"}
    assert all(line["request_id"] == request_id for line in lines)


def test_each_request_is_logged_with_method_path_status_duration_and_user(client_of, secondary_account, captured_logs):
    client = client_of(secondary_account)

    client.get("/mon-compte/modifications/?onglet=1")

    (line,) = [line for line in captured_logs.records if line["logger"] == "sigma.requests"]
    assert (line["level"], line["method"], line["path"], line["status"]) == (
        "INFO",
        "GET",
        "/mon-compte/modifications/",
        200,
    )
    assert line["user_id"] == secondary_account.pk
    assert isinstance(line["duration_ms"], int)
    assert "onglet" not in captured_logs.text


def test_a_whole_account_flow_logs_no_password_token_or_link(mailbox, primary_account, password_link_of, captured_logs):
    """Account creation by the primary account, password generation, the
    one-time link, the temporary login, then a new identifiant and password,
    logged at DEBUG level in the production format."""
    # SQL statements are logged at DEBUG level meanwhile, unless django.db.backends is held at INFO.
    with CaptureQueriesContext(connection) as queries:
        link_path = run_account_flow(primary_account, password_link_of)
    assert queries.captured_queries

    logs = captured_logs.text
    token = link_path.removeprefix("/acces/").strip("/")
    requests = [line for line in captured_logs.records if line["logger"] == "sigma.requests"]
    assert {"path": "/acces/[redacted]/", "status": 302} in [
        {"path": line["path"], "status": line["status"]} for line in requests
    ]
    assert len(requests) >= 8
    for secret in (PASSWORD, NEW_PASSWORD, token, f"{settings.SIGMA_BASE_URL}{link_path}"):
        assert secret not in logs
    assert not [line for line in captured_logs.records if line["logger"].startswith("django.db.backends")]


def run_account_flow(primary_account, password_link_of):
    """Returns the one-time link's path."""
    manager = Client()
    manager.post("/connexion/", {"identifiant": primary_account.identifiant, "password": PASSWORD})
    manager.post(
        "/organisme/comptes/nouveau/",
        {"civilite": "madame", "last_name": "GARONNE", "first_name": "Alice", "email": "alice@exemple.fr"},
    )
    account = User.objects.get(email="alice@exemple.fr")
    link_path = password_link_of(account)
    new_user = Client()
    new_user.get(link_path, follow=True)
    assert new_user.post("/acces/").url == "/mon-compte/modifications/"
    saved = new_user.post(
        "/mon-compte/modifications/",
        {"identifiant": "alice.garonne", "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD},
    )
    assert saved.status_code == 302
    new_user.post("/deconnexion/")
    assert new_user.post("/connexion/", {"identifiant": "alice.garonne", "password": NEW_PASSWORD}).url == "/"
    return link_path


def test_a_traceback_mentioning_a_one_time_link_is_redacted_too(captured_logs):
    try:
        raise ValueError("lien refusé : https://sigma.laregion.fr/acces/Zx81-jeton_secret/")
    except ValueError:
        logging.getLogger("sigma.tests").exception("Échec sur /acces/Zx81-jeton_secret/")

    (line,) = captured_logs.records
    assert line["message"] == "Échec sur /acces/[redacted]/"
    assert "ValueError: lien refusé : https://sigma.laregion.fr/acces/[redacted]/" in line["exc_info"]
    assert "Zx81-jeton_secret" not in captured_logs.text
