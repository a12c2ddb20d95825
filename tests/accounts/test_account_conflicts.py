"""Two browsers of the compte principal modifying the same secondary account:
the second save does not silently undo the first (the guide's section 3)."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry

COMPTES = "/organisme/comptes/"


@pytest.fixture
def first_browser(browser_of, primary_account):
    return browser_of(primary_account)


@pytest.fixture
def second_browser(browser_of, primary_account):
    return browser_of(primary_account)


@pytest.fixture
def hidden_version():
    def read(response):
        return int(re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1))

    return read


def modify_url(account):
    return f"{COMPTES}{account.pk}/modifier/"


def details(account, **changes):
    return {
        "civilite": account.civilite,
        "last_name": account.last_name,
        "first_name": account.first_name,
        "email": account.email,
    } | changes


def test_the_modify_window_carries_the_account_version(first_browser, secondary_account, hidden_version):
    assert hidden_version(first_browser.get(modify_url(secondary_account))) == secondary_account.version == 1


def test_second_save_gets_the_conflict_with_both_values_and_changes_nothing(
    first_browser, second_browser, secondary_account, hidden_version, page_of
):
    version = hidden_version(first_browser.get(modify_url(secondary_account)))
    assert hidden_version(second_browser.get(modify_url(secondary_account))) == version
    first_browser.post(
        modify_url(secondary_account), details(secondary_account, email="premier@aa.fr", version=version)
    )

    response = second_browser.post(
        modify_url(secondary_account), details(secondary_account, last_name="SECOND", version=version)
    )

    assert response.status_code == 200
    stored = User.objects.get(pk=secondary_account.pk)
    when = timezone.localtime(stored.updated_at)
    page = page_of(response)
    assert (
        f"Ces informations ont été modifiées par PAU BLA le {when:%d/%m/%Y} à {when:%H:%M} pendant que vous les "
        "modifiiez. Vos saisies n’ont pas été enregistrées."
    ) in page.text
    assert ["Courriel", "premier@aa.fr", "aa1@aa.fr"] in page.rows
    assert ["Nom d’usage", "NOM TEST COMPTE", "SECOND"] in page.rows
    assert 'name="last_name" value="SECOND"' in response.content.decode()
    assert hidden_version(response) == stored.version == 2
    assert "Enregistrer mes valeurs" in page.text
    assert (stored.last_name, stored.email) == ("NOM TEST COMPTE", "premier@aa.fr")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_MODIFIED).count() == 1


def test_enregistrer_mes_valeurs_applies_the_second_values_on_the_new_version(
    first_browser, second_browser, secondary_account, hidden_version
):
    first_browser.post(modify_url(secondary_account), details(secondary_account, email="premier@aa.fr", version=1))
    conflict = second_browser.post(
        modify_url(secondary_account), details(secondary_account, last_name="SECOND", version=1)
    )

    response = second_browser.post(
        modify_url(secondary_account),
        details(secondary_account, last_name="SECOND", version=hidden_version(conflict)),
    )

    assert response.status_code == 302
    stored = User.objects.get(pk=secondary_account.pk)
    # The second person saw the new e-mail beside theirs and kept their own typed values.
    assert (stored.last_name, stored.email, stored.version) == ("SECOND", "aa1@aa.fr", 3)


def test_a_post_without_version_changes_nothing(first_browser, secondary_account):
    response = first_browser.post(modify_url(secondary_account), details(secondary_account, last_name="SANS"))

    assert response.status_code == 200
    assert User.objects.get(pk=secondary_account.pk).last_name == "NOM TEST COMPTE"


def test_search_still_finds_the_account_by_its_new_name(first_browser, secondary_account, page_of):
    first_browser.post(modify_url(secondary_account), details(secondary_account, last_name="RENOMME", version=1))

    page = page_of(first_browser.get(COMPTES, {"q": "renomme"}))

    assert "RENOMME" in page.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no true parallelism")
@pytest.mark.django_db(transaction=True)
def test_two_parallel_modifications_one_wins_the_other_is_told(primary_account, secondary_account):
    posted = [
        details(secondary_account, last_name="PREMIER", version=1),
        details(secondary_account, last_name="SECOND", version=1),
    ]
    barrier = threading.Barrier(2)
    responses = [None, None]

    def submit(index):
        browser = Client()
        browser.force_login(primary_account)
        try:
            barrier.wait(timeout=10)
            responses[index] = browser.post(modify_url(secondary_account), posted[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(response.status_code for response in responses) == [200, 302]
    winner = next(index for index, response in enumerate(responses) if response.status_code == 302)
    stored = User.objects.get(pk=secondary_account.pk)
    assert (stored.last_name, stored.version) == (posted[winner]["last_name"], 2)
    loser = responses[1 - winner].content.decode()
    assert "pendant que vous les modifiiez" in loser
    assert f'name="last_name" value="{posted[1 - winner]["last_name"]}"' in loser
