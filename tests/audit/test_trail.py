"""Every event in an account's life writes exactly one entry in the trail:
when, who acted (account and kind, or "système"), on which account and
organisme, from which IP address; never a password or a token. Entries
outlive the accounts they name, cannot be changed, and are written in the
same transaction as the change they record."""

import json

import pytest
from django.conf import settings
from django.db import transaction
from django.forms import model_to_dict
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import PasswordLink, User
from audit.models import SYSTEM, AuditEntry
from tests.accounts.login import log_in
from tests.conftest import run_worker_until_idle

Action = AuditEntry.Action
TEST_CLIENT_ADDRESS = "127.0.0.1"
COMPTES = "/organisme/comptes/"
WRONG_PASSWORD = "Mauvais-Secret-1!"
NEW_PASSWORD = "Garonne-Canal-2026!"
NEW_ACCOUNT = {"civilite": "monsieur", "last_name": "GU", "first_name": "Be", "email": "gu.be@aa.fr"}
COLLEAGUE_NAME = "Madame NOM TEST COMPTE PRENOM TEST COMPTE"


def who_and_where(entry):
    """The entry's fields that say who acted, on which account, from where."""
    return {
        "actor": entry.actor,
        "actor_name": entry.actor_name,
        "actor_kind": entry.actor_kind,
        "account": entry.account,
        "account_name": entry.account_name,
        "organisme": entry.organisme,
        "ip_address": entry.ip_address,
    }


def by(actor, *, on, address=TEST_CLIENT_ADDRESS):
    """What who_and_where() should read when `actor` (None: the system) acted on `on`."""
    return {
        "actor": actor,
        "actor_name": actor.civil_name if actor else "",
        "actor_kind": actor.kind if actor else SYSTEM,
        "account": on,
        "account_name": on.civil_name,
        "organisme": on.organisme,
        "ip_address": address,
    }


def set_state(account, **state):
    User.objects.filter(pk=account.pk).update(**state)
    account.refresh_from_db()
    return account


@pytest.fixture
def manager(client_of, primary_account):
    """The browser of the organisme's primary account, Madame BLA PAU."""
    return client_of(primary_account)


# Gestion organisme: what the primary account does to a secondary account


def test_creating_an_account_writes_one_entry(manager, recorded, primary_account):
    with recorded() as entries:
        response = manager.post(f"{COMPTES}nouveau/", NEW_ACCOUNT)

    assert response.status_code == 302
    account = User.objects.get(email="gu.be@aa.fr")
    assert [entry.action for entry in entries] == [Action.ACCOUNT_CREATED]
    assert who_and_where(entries[0]) == by(primary_account, on=account)
    assert entries[0].account_name == "Monsieur GU Be"


def test_modifying_an_account_records_which_fields_changed_from_what_to_what(
    manager, recorded, primary_account, secondary_account
):
    with recorded() as entries:
        manager.post(
            f"{COMPTES}{secondary_account.pk}/modifier/",
            {
                "civilite": "monsieur",
                "last_name": "GUY",
                "first_name": "PRENOM TEST COMPTE",
                "email": "aa1@aa.fr",
                "version": secondary_account.version,
            },
        )

    assert [entry.action for entry in entries] == [Action.ACCOUNT_MODIFIED]
    entry = entries[0]
    assert entry.changes == {"civilite": ["madame", "monsieur"], "last_name": ["NOM TEST COMPTE", "GUY"]}
    assert entry.details == ["Civilité : Madame → Monsieur", "Nom d’usage : NOM TEST COMPTE → GUY"]
    assert who_and_where(entry) == by(primary_account, on=User.objects.get(pk=secondary_account.pk))


def test_saving_an_account_unchanged_writes_nothing(manager, recorded, secondary_account):
    unchanged = model_to_dict(secondary_account, fields=["civilite", "last_name", "first_name", "email"])

    with recorded() as entries:
        response = manager.post(
            f"{COMPTES}{secondary_account.pk}/modifier/", unchanged | {"version": secondary_account.version}
        )

    assert response.status_code == 302
    assert entries == []


@pytest.mark.parametrize(
    ("action", "state", "event"),
    [
        ("regenerer", {}, Action.PASSWORD_REGENERATED),
        ("debloquer", {"is_blocked": True, "failed_login_count": 3}, Action.ACCOUNT_UNBLOCKED),
        ("desactiver", {}, Action.ACCOUNT_DEACTIVATED),
        ("activer", {"is_active": False}, Action.ACCOUNT_ACTIVATED),
        ("supprimer", {}, Action.ACCOUNT_DELETED),
    ],
)
def test_each_action_of_the_primary_account_writes_one_entry(
    action, state, event, manager, recorded, primary_account, secondary_account
):
    colleague = set_state(secondary_account, **state)

    with recorded() as entries:
        response = manager.post(f"{COMPTES}{colleague.pk}/{action}/")

    assert response.status_code == 302
    assert [entry.action for entry in entries] == [event]
    assert who_and_where(entries[0]) == by(primary_account, on=colleague)


def test_a_region_agent_acting_on_an_account_is_recorded_as_such(client_of, recorded, region_agent, primary_account):
    blocked_primary = set_state(primary_account, is_blocked=True, failed_login_count=3)

    with recorded() as entries:
        response = client_of(region_agent).post(
            reverse("region:account_action", args=[primary_account.pk, "debloquer"])
        )

    assert response.status_code == 302
    assert [entry.action for entry in entries] == [Action.ACCOUNT_UNBLOCKED]
    assert who_and_where(entries[0]) == by(region_agent, on=blocked_primary)
    assert entries[0].actor_kind == "region_agent"
    assert entries[0].actor_label == f"{region_agent.civil_name} (Agent de la Région)"


def test_handing_the_primary_role_over_writes_one_entry(
    client_of, recorded, region_agent, primary_account, secondary_account, organisme
):
    with recorded() as entries:
        response = client_of(region_agent).post(
            reverse("region:hand_over", args=[organisme.pk]),
            {"new_primary": secondary_account.pk, "former_primary_becomes": "secondary"},
        )

    assert response.status_code == 302
    assert [entry.action for entry in entries] == [Action.ROLE_HANDED_OVER]
    assert who_and_where(entries[0]) == by(region_agent, on=User.objects.get(pk=secondary_account.pk))
    assert entries[0].details == [
        "Ancien compte principal : Madame BLA PAU",
        f"Nouveau compte principal : {COLLEAGUE_NAME}",
        "L’ancien compte principal devient : compte secondaire",
        "Sur proposition acceptée : non",
    ]


def test_an_action_outside_any_request_has_no_address(recorded, region_agent, secondary_account):
    with recorded() as entries:
        services.deactivate_account(secondary_account, acting_account=region_agent)

    assert who_and_where(entries[0]) == by(region_agent, on=secondary_account, address=None)


# Password generation, one-time links, Mon compte


def test_asking_for_a_password_link_writes_one_entry(mailbox, recorded, secondary_account):
    with recorded() as entries:
        Client().post(
            "/generation-mot-de-passe/",
            {
                "identifiant": secondary_account.identifiant,
                "last_name": secondary_account.last_name,
                "first_name": secondary_account.first_name,
                "email": secondary_account.email,
            },
        )
        # Written by the worker, with the address of the request that asked.
        run_worker_until_idle()

    assert [entry.action for entry in entries] == [Action.PASSWORD_LINK_REQUESTED]
    assert who_and_where(entries[0]) == by(secondary_account, on=secondary_account)


def test_asking_for_a_link_with_wrong_details_writes_nothing(mailbox, recorded, secondary_account):
    with recorded() as entries:
        Client().post(
            "/generation-mot-de-passe/",
            {
                "identifiant": secondary_account.identifiant,
                "last_name": "AUTRE",
                "first_name": secondary_account.first_name,
                "email": secondary_account.email,
            },
        )
        run_worker_until_idle()

    assert entries == []


def test_using_the_link_writes_one_entry(client, password_link_of, recorded, secondary_account):
    link_path = password_link_of(secondary_account)

    with recorded() as entries:
        client.get(link_path)
        client.post("/acces/")

    assert [entry.action for entry in entries] == [Action.PASSWORD_LINK_USED]
    assert who_and_where(entries[0]) == by(secondary_account, on=secondary_account)


def test_using_the_link_on_a_blocked_account_also_records_its_unblocking(
    client, password_link_of, recorded, secondary_account
):
    link_path = password_link_of(set_state(secondary_account, is_blocked=True, failed_login_count=3))

    with recorded() as entries:
        client.get(link_path)
        client.post("/acces/")

    assert [entry.action for entry in entries] == [Action.PASSWORD_LINK_USED, Action.ACCOUNT_UNBLOCKED]
    unblocking = entries[1]
    assert who_and_where(unblocking) == by(secondary_account, on=User.objects.get(pk=secondary_account.pk))
    assert unblocking.details == ["Par son utilisateur, avec un lien de génération de mot de passe"]


def test_choosing_identifiant_and_password_writes_one_entry(client_by_link, recorded, secondary_account):
    browser = client_by_link(secondary_account)

    with recorded() as entries:
        response = browser.post(
            "/mon-compte/modifications/",
            {
                "identifiant": "nouvel.identifiant",
                "new_password": NEW_PASSWORD,
                "new_password_confirmation": NEW_PASSWORD,
            },
        )

    assert response.status_code == 302
    assert [entry.action for entry in entries] == [Action.CREDENTIALS_CHANGED]
    assert entries[0].changes == {"identifiant": ["test.identifiant", "nouvel.identifiant"]}
    assert who_and_where(entries[0]) == by(secondary_account, on=User.objects.get(pk=secondary_account.pk))


# Login and lockout


def test_a_successful_login_writes_one_entry(client, recorded, secondary_account, password):
    with recorded() as entries:
        log_in(client, "test.identifiant", password)

    assert [entry.action for entry in entries] == [Action.LOGIN_SUCCEEDED]
    assert who_and_where(entries[0]) == by(secondary_account, on=secondary_account)


def test_a_wrong_password_writes_one_failure_by_the_system(client, recorded, secondary_account):
    with recorded() as entries:
        log_in(client, "test.identifiant", WRONG_PASSWORD)

    assert [entry.action for entry in entries] == [Action.LOGIN_FAILED]
    assert who_and_where(entries[0]) == by(None, on=secondary_account)
    assert entries[0].actor_label == "système"
    assert entries[0].details == ["Motif : mot de passe incorrect"]


def test_the_failure_that_blocks_the_account_is_recorded_with_the_blocking(client, recorded, secondary_account):
    for _ in range(settings.MAX_FAILED_LOGINS - 1):
        log_in(client, "test.identifiant", WRONG_PASSWORD)

    with recorded() as entries:
        log_in(client, "test.identifiant", WRONG_PASSWORD)

    assert [entry.action for entry in entries] == [Action.LOGIN_FAILED, Action.ACCOUNT_BLOCKED]
    blocking = entries[1]
    assert who_and_where(blocking) == by(None, on=User.objects.get(pk=secondary_account.pk))
    assert blocking.details == ["Motif : tentatives de connexion infructueuses"]


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ({"is_blocked": True, "failed_login_count": 3}, "Motif : compte bloqué"),
        ({"is_active": False}, "Motif : compte désactivé"),
    ],
)
def test_the_right_password_refused_to_a_blocked_or_deactivated_account_is_a_failure(
    state, reason, client, recorded, secondary_account, password
):
    account = set_state(secondary_account, **state)

    with recorded() as entries:
        log_in(client, "test.identifiant", password)

    assert [entry.action for entry in entries] == [Action.LOGIN_FAILED]
    assert who_and_where(entries[0]) == by(None, on=account)
    assert entries[0].details == [reason]


def test_an_unknown_identifiant_names_no_account_and_writes_nothing(client, recorded):
    with recorded() as entries:
        log_in(client, "personne.inconnue", WRONG_PASSWORD)

    assert entries == []


def test_a_peer_without_ip_address_is_recorded_without_address(recorded, secondary_account, password):
    # A Unix socket's peer, say: the login still works and is recorded.
    browser = Client(REMOTE_ADDR="unix:/run/sigma.sock")

    with recorded() as entries:
        log_in(browser, "test.identifiant", password)

    assert [(entry.action, entry.ip_address) for entry in entries] == [(Action.LOGIN_SUCCEEDED, None)]


def test_an_ipv6_address_is_recorded(recorded, secondary_account, password):
    with recorded() as entries:
        log_in(Client(REMOTE_ADDR="2001:db8::42"), "test.identifiant", password)

    assert entries[0].ip_address == "2001:db8::42"


# Never a secret


def test_no_entry_holds_a_password_a_hash_or_a_token(manager, password_link_of, primary_account, mailbox):
    manager.post(f"{COMPTES}nouveau/", NEW_ACCOUNT)
    account = User.objects.get(email="gu.be@aa.fr")
    link_path = password_link_of(account)
    token = link_path.removeprefix("/acces/").removesuffix("/")
    digest = PasswordLink.objects.get(user=account).token_digest
    newcomer = Client()
    newcomer.get(link_path)
    newcomer.post("/acces/")
    temporary_hash = User.objects.get(pk=account.pk).password
    newcomer.post(
        "/mon-compte/modifications/",
        {"identifiant": "gu.be", "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD},
    )
    chosen_hash = User.objects.get(pk=account.pk).password
    log_in(Client(), "gu.be", WRONG_PASSWORD)
    log_in(Client(), "gu.be", NEW_PASSWORD)
    manager.post(f"{COMPTES}{account.pk}/regenerer/")

    trail = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert AuditEntry.objects.filter(account=account).count() >= 7
    for secret in (NEW_PASSWORD, WRONG_PASSWORD, token, digest, temporary_hash, chosen_hash):
        assert secret not in trail
    assert not any("password" in key for entry in AuditEntry.objects.all() for key in entry.changes)


# Entries outlive accounts and never change


def test_entries_keep_naming_a_deleted_account(manager, recorded, secondary_account, password, organisme):
    log_in(Client(), "test.identifiant", password)
    manager.post(f"{COMPTES}{secondary_account.pk}/modifier/", NEW_ACCOUNT | {"version": secondary_account.version})

    manager.post(f"{COMPTES}{secondary_account.pk}/supprimer/")

    trail = AuditEntry.objects.filter(account=secondary_account).order_by("pk")
    assert [entry.action for entry in trail] == [
        Action.LOGIN_SUCCEEDED,
        Action.ACCOUNT_MODIFIED,
        Action.ACCOUNT_DELETED,
    ]
    assert [entry.account_name for entry in trail] == [COLLEAGUE_NAME, "Monsieur GU Be", "Monsieur GU Be"]
    assert {entry.organisme for entry in trail} == {organisme}


def test_entries_outlive_even_the_removal_of_the_account_row(recorded, primary_account, secondary_account, password):
    log_in(Client(), "test.identifiant", password)
    with recorded() as entries:
        services.deactivate_account(secondary_account, acting_account=primary_account)
    User.objects.filter(pk=secondary_account.pk).delete()

    kept = AuditEntry.objects.filter(account_name=COLLEAGUE_NAME)
    assert kept.count() == 2
    assert {(entry.account, entry.organisme_id) for entry in kept} == {(None, secondary_account.organisme_id)}
    assert AuditEntry.objects.get(pk=entries[0].pk).actor_name == "Madame BLA PAU"


def test_an_entry_cannot_be_modified(add_entry, secondary_account):
    entry = add_entry(secondary_account)
    entry.account_name = "Quelqu’un d’autre"

    with pytest.raises(RuntimeError):
        entry.save()

    assert AuditEntry.objects.get(pk=entry.pk).account_name == COLLEAGUE_NAME


def test_an_entry_cannot_be_deleted(add_entry, secondary_account):
    entry = add_entry(secondary_account)

    with pytest.raises(RuntimeError):
        entry.delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# One transaction: no change without its entry, no entry without its change


def test_a_change_whose_entry_cannot_be_written_does_not_happen(transactional_db, secondary_account):
    # An actor never saved: writing the entry fails after the account was saved.
    phantom = User(kind=User.Kind.PRIMARY, civilite="madame", last_name="FANTÔME", first_name="Anne")

    with pytest.raises(ValueError, match="unsaved related object"):
        services.deactivate_account(secondary_account, acting_account=phantom)

    assert User.objects.get(pk=secondary_account.pk).is_active
    assert not AuditEntry.objects.exists()


def test_a_change_rolled_back_after_the_action_leaves_no_entry(transactional_db, primary_account, secondary_account):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.modify_account(
            secondary_account,
            acting_account=primary_account,
            based_on_version=secondary_account.version,
            **NEW_ACCOUNT | {"email": secondary_account.email},
        )
        assert AuditEntry.objects.filter(action=Action.ACCOUNT_MODIFIED).count() == 1
        raise RuntimeError("the request fails after the action")

    assert User.objects.get(pk=secondary_account.pk).last_name == "NOM TEST COMPTE"
    assert not AuditEntry.objects.exists()


def test_a_committed_action_keeps_both_change_and_entry(transactional_db, primary_account, secondary_account):
    services.deactivate_account(secondary_account, acting_account=primary_account)

    assert not User.objects.get(pk=secondary_account.pk).is_active
    assert AuditEntry.objects.filter(action=Action.ACCOUNT_DEACTIVATED, account=secondary_account).count() == 1
