"""Two people editing the same record: the guide's section 3 says the original
platform keeps only the last save; sigma keeps both people informed."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.versioning import StaleEdit, save_if_unchanged
from tests.factories import UserFactory
from training import services
from training.models import DeclarationHeures, Inscription

CONFLICT = (
    "Ces informations ont été modifiées par PRENOM TEST COMPTE NOM TEST COMPTE le {date} pendant que vous les "
    "modifiiez. Vos saisies n’ont pas été enregistrées."
)


def when(moment):
    moment = timezone.localtime(moment)
    return f"{moment:%d/%m/%Y} à {moment:%H:%M}"


def inscription_url(inscription):
    return f"/actions/{inscription.action_id}/inscriptions/{inscription.pk}/"


def period_url(period):
    return f"/actions/{period.action_id}/periodes/{period.pk}/"


ENTRY = {
    "nom": "MARTIN",
    "prenom": "Hugo",
    "date_naissance": "03/02/1999",
    "identifiant_france_travail": "7654321B",
    "date_entree": "15/09/2026",
    "date_sortie": "",
}


# The versioning itself


def test_a_stale_save_is_refused_and_tells_who_saved_and_what(trainee, secondary_account, primary_account):
    first_copy = Inscription.objects.get(pk=trainee.pk)
    second_copy = Inscription.objects.get(pk=trainee.pk)
    save_if_unchanged(
        first_copy,
        based_on_version=1,
        changes={"date_sortie": datetime.date(2026, 10, 1)},
        acting_account=secondary_account,
    )

    with pytest.raises(StaleEdit) as refused:
        save_if_unchanged(
            second_copy,
            based_on_version=1,
            changes={"date_sortie": datetime.date(2026, 12, 1)},
            acting_account=primary_account,
        )

    current = refused.value.current
    assert (current.version, current.updated_by, current.date_sortie) == (
        2,
        secondary_account,
        datetime.date(2026, 10, 1),
    )
    assert Inscription.objects.get(pk=trainee.pk).date_sortie == datetime.date(2026, 10, 1)


def test_a_stale_hours_save_writes_no_hours(trainee, period, secondary_account, primary_account):
    services.save_hours(period, based_on_version=1, hours={trainee.pk: Decimal(70)}, acting_account=secondary_account)
    stale_copy = type(period).objects.get(pk=period.pk)
    stale_copy.version = 1

    with pytest.raises(StaleEdit):
        services.save_hours(
            stale_copy, based_on_version=1, hours={trainee.pk: Decimal(10)}, acting_account=primary_account
        )

    assert DeclarationHeures.objects.get().heures == 70


# Through the pages: two browsers of the same organisme


@pytest.fixture
def first_editor(browser_of, secondary_account):
    return browser_of(secondary_account)


@pytest.fixture
def second_editor(browser_of, primary_account):
    return browser_of(primary_account)


def test_the_second_inscription_save_gets_the_conflict_with_both_values(
    first_editor, second_editor, seat, page_of, form_values, hidden_version
):
    version = hidden_version(first_editor.get(inscription_url(seat)))
    assert hidden_version(second_editor.get(inscription_url(seat))) == version
    assert first_editor.post(inscription_url(seat), ENTRY | {"version": version}).status_code == 302

    theirs = ENTRY | {"prenom": "Hugues", "identifiant_france_travail": "9999999Z", "version": version}
    response = second_editor.post(inscription_url(seat), theirs)

    assert response.status_code == 200
    seat.refresh_from_db()
    page = page_of(response)
    assert CONFLICT.format(date=when(seat.updated_at)) in page.text
    assert ["Prénom", "Hugo", "Hugues"] in page.rows
    assert ["Identifiant France Travail", "7654321B", "9999999Z"] in page.rows
    assert form_values(response)["prenom"] == "Hugues"
    assert hidden_version(response) == seat.version == version + 1
    assert "Enregistrer mes valeurs" in page.text
    assert seat.stagiaire.prenom == "Hugo"


def test_enregistrer_mes_valeurs_reapplies_the_user_values_in_one_click(first_editor, second_editor, seat, form_values):
    first_editor.post(inscription_url(seat), ENTRY | {"version": 1})
    conflict = second_editor.post(inscription_url(seat), ENTRY | {"prenom": "Hugues", "version": 1})

    response = second_editor.post(inscription_url(seat), form_values(conflict))

    assert response.status_code == 302
    seat.refresh_from_db()
    assert (seat.stagiaire.prenom, seat.version) == ("Hugues", 3)


def test_the_second_hours_save_gets_the_conflict_and_keeps_the_user_hours(
    first_editor, second_editor, trainee, period, page_of, form_values
):
    field = f"heures_{trainee.pk}"
    first_editor.post(period_url(period), {field: "70", "version": 1})

    response = second_editor.post(period_url(period), {field: "63,5", "version": 1})

    page = page_of(response)
    period.refresh_from_db()
    assert CONFLICT.format(date=when(period.updated_at)) in page.text
    assert ["DUPONT Léa", "70,0", "63,5"] in page.rows
    assert form_values(response)[field] == "63,5"
    assert DeclarationHeures.objects.get().heures == 70

    assert second_editor.post(period_url(period), form_values(response)).status_code == 302
    assert DeclarationHeures.objects.get().heures == Decimal("63.5")


def test_validating_a_period_someone_just_changed_is_refused(first_editor, second_editor, trainee, period, page_of):
    first_editor.post(period_url(period), {f"heures_{trainee.pk}": "70", "version": 1})

    response = second_editor.post(f"{period_url(period)}valider/", {"version": 1}, follow=True)

    assert "Vérifiez les heures de la période avant de la valider." in page_of(response).text
    period.refresh_from_db()
    assert not period.is_validated


# Truly parallel requests


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no true parallelism")
@pytest.mark.django_db(transaction=True)
def test_two_parallel_saves_on_the_same_version_one_wins_the_other_is_told(
    organisme, action, seat, primary_account, secondary_account
):
    browsers = []
    for account in (primary_account, secondary_account):
        browser = Client()
        browser.force_login(account)
        browsers.append(browser)
    entries = [ENTRY | {"prenom": "Premier", "version": 1}, ENTRY | {"prenom": "Second", "version": 1}]
    barrier = threading.Barrier(2)
    responses = [None, None]

    def submit(index):
        try:
            barrier.wait(timeout=10)
            responses[index] = browsers[index].post(inscription_url(seat), entries[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 302]
    seat.refresh_from_db()
    winner = next(i for i, response in enumerate(responses) if response.status_code == 302)
    loser = responses[1 - winner]
    assert seat.stagiaire.prenom == entries[winner]["prenom"]
    assert seat.version == 2
    text = loser.content.decode()
    assert "pendant que vous les modifiiez" in text
    assert f'value="{entries[1 - winner]["prenom"]}"' in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no true parallelism")
@pytest.mark.django_db(transaction=True)
def test_parallel_hours_saves_lose_nothing_silently(organisme, action, trainee, period):
    editors = [UserFactory(organisme=organisme) for _ in range(4)]
    barrier = threading.Barrier(len(editors))
    responses = [None] * len(editors)
    field = f"heures_{trainee.pk}"

    def submit(index):
        browser = Client()
        browser.force_login(editors[index])
        try:
            barrier.wait(timeout=10)
            responses[index] = browser.post(period_url(period), {field: str(10 + index), "version": 1})
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(len(editors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [index for index, response in enumerate(responses) if response.status_code == 302]
    assert len(winners) == 1
    assert DeclarationHeures.objects.get().heures == 10 + winners[0]
    for index, response in enumerate(responses):
        if index not in winners:
            assert "pendant que vous les modifiiez" in response.content.decode()
