import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import ActionFormationFactory, InscriptionFactory
from training.models import DeclarationHeures, Inscription, Stagiaire

NEW_TRAINEE = {
    "nom": "MARTIN",
    "prenom": "Hugo",
    "date_naissance": "03/02/1999",
    "identifiant_france_travail": "7654321B",
    "date_entree": "15/09/2026",
    "date_sortie": "",
}


@pytest.fixture
def browser(client_of, secondary_account):
    """A secondary account enters the data: the guide gives it the same rights here."""
    return client_of(secondary_account)


def inscription_url(inscription):
    return f"/actions/{inscription.action_id}/inscriptions/{inscription.pk}/"


def period_url(period):
    return f"/actions/{period.action_id}/periodes/{period.pk}/"


def test_entering_a_seat_awaiting_entry_creates_the_trainee(browser, page_of, seat, secondary_account):
    form = browser.get(inscription_url(seat))
    assert "Saisie de l’inscription" in page_of(form).text

    response = browser.post(inscription_url(seat), NEW_TRAINEE | {"version": seat.version}, follow=True)

    assert response.redirect_chain == [(f"/actions/{seat.action_id}/", 302)]
    assert "L’inscription a bien été enregistrée." in page_of(response).text
    seat.refresh_from_db()
    assert (seat.stagiaire.nom, seat.stagiaire.prenom, seat.stagiaire.identifiant_france_travail) == (
        "MARTIN",
        "Hugo",
        "7654321B",
    )
    assert seat.date_entree == datetime.date(2026, 9, 15)
    assert (seat.version, seat.updated_by) == (2, secondary_account)


def test_a_trainee_is_entered_only_once_per_action(browser, trainee, field_errors):
    second_seat = Inscription.objects.create(action=trainee.action)
    same_person = NEW_TRAINEE | {"nom": "Dupont", "prenom": "LÉA", "date_naissance": "12/04/1995"}

    response = browser.post(
        inscription_url(second_seat), same_person | {"identifiant_france_travail": "1234567a", "version": 1}
    )

    assert field_errors(response, "identifiant_france_travail") == ["Ce stagiaire est déjà inscrit sur cette action."]
    second_seat.refresh_from_db()
    assert second_seat.stagiaire is None
    assert Stagiaire.objects.count() == 1


def test_a_known_trainee_is_linked_on_another_action(browser, organisme, trainee):
    other_action = ActionFormationFactory(organisme=organisme, date_debut=datetime.date(2026, 9, 1))
    seat = InscriptionFactory(action=other_action, awaiting_entry=True)
    same_person = NEW_TRAINEE | {"nom": "Dupont", "prenom": "LÉA", "date_naissance": "12/04/1995"}

    browser.post(inscription_url(seat), same_person | {"identifiant_france_travail": "1234567a", "version": 1})

    seat.refresh_from_db()
    assert seat.stagiaire == trainee.stagiaire
    assert Stagiaire.objects.count() == 1


def test_correcting_an_inscription_updates_the_trainee_and_dates(browser, trainee):
    response = browser.post(
        inscription_url(trainee),
        {
            "nom": "DUPONT-MOREL",
            "prenom": "Léa",
            "date_naissance": "12/04/1995",
            "identifiant_france_travail": "1234567A",
            "date_entree": "01/09/2026",
            "date_sortie": "30/11/2026",
            "version": trainee.version,
        },
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.stagiaire.nom == "DUPONT-MOREL"
    assert trainee.date_sortie == datetime.date(2026, 11, 30)
    assert Stagiaire.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nom", "", "Ce champ est obligatoire."),
        ("date_naissance", "31/02/1999", "Saisissez une date valide."),
        ("date_entree", "01/01/2026", "La date d’entrée doit être comprise entre le 01/09/2026 et le 31/03/2027"),
        ("date_sortie", "01/09/2026", "La date de sortie ne peut pas précéder la date d’entrée."),
        ("identifiant_france_travail", "12-34", "L’identifiant France Travail ne contient que des lettres"),
    ],
)
def test_bad_inscription_input_is_explained_next_to_the_field_and_kept(
    browser, seat, field_errors, form_values, field, value, message
):
    posted = NEW_TRAINEE | {field: value, "version": seat.version}

    response = browser.post(inscription_url(seat), posted)

    assert response.status_code == 200
    assert any(error.startswith(message) for error in field_errors(response, field)), field_errors(response, field)
    assert form_values(response)["prenom"] == "Hugo"
    assert form_values(response)[field] == value
    seat.refresh_from_db()
    assert (seat.stagiaire, seat.version) == (None, 1)
    assert not Stagiaire.objects.exists()


def test_an_identifiant_of_another_person_is_refused(browser, seat, trainee, field_errors):
    response = browser.post(
        inscription_url(seat), NEW_TRAINEE | {"identifiant_france_travail": "1234567A", "version": seat.version}
    )

    assert field_errors(response, "identifiant_france_travail") == [
        "Cet identifiant France Travail est déjà celui d’un de vos stagiaires dont le nom, le prénom ou la date de "
        "naissance diffèrent : vérifiez votre saisie."
    ]
    seat.refresh_from_db()
    assert seat.stagiaire is None


def test_entering_hours_of_a_period(browser, page_of, trainee, period):
    field = f"heures_{trainee.pk}"
    form = page_of(browser.get(period_url(period)))
    assert "Heures réalisées en 10/2026" in form.text
    assert "DUPONT Léa" in form.text

    response = browser.post(period_url(period), {field: "72,5", "version": period.version}, follow=True)

    assert "Les heures de la période 10/2026 ont bien été enregistrées." in page_of(response).text
    assert DeclarationHeures.objects.get(periode=period, inscription=trainee).heures == Decimal("72.5")
    period.refresh_from_db()
    assert period.version == 2


def test_correcting_and_clearing_hours(browser, trainee, period):
    field = f"heures_{trainee.pk}"
    browser.post(period_url(period), {field: "70", "version": 1})
    browser.post(period_url(period), {field: "35", "version": 2})
    assert DeclarationHeures.objects.get(periode=period).heures == 35

    browser.post(period_url(period), {field: "", "version": 3})
    assert not DeclarationHeures.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("-3", "Le nombre d’heures ne peut pas être négatif."), ("beaucoup", "Saisissez un nombre.")],
)
def test_bad_hours_are_explained_and_nothing_is_written(browser, trainee, period, field_errors, value, message):
    field = f"heures_{trainee.pk}"

    response = browser.post(period_url(period), {field: value, "version": period.version})

    assert field_errors(response, field) == [message]
    assert not DeclarationHeures.objects.exists()
    period.refresh_from_db()
    assert period.version == 1


def test_validating_a_period(browser, page_of, trainee, period, secondary_account):
    response = browser.post(f"{period_url(period)}valider/", {"version": period.version}, follow=True)

    assert "La période 10/2026 a bien été validée." in page_of(response).text
    period.refresh_from_db()
    assert period.is_validated
    assert period.validated_by_name == secondary_account.full_name
    assert f"Validée le {timezone.localdate(period.validated_at):%d/%m/%Y}" in page_of(response).text


def test_a_period_validated_at_half_past_midnight_in_paris_shows_the_paris_date(
    paris_just_after_midnight, browser, page_of, trainee, period
):
    response = browser.post(f"{period_url(period)}valider/", {"version": period.version}, follow=True)

    assert "Validée le 01/12/2026" in page_of(response).text


def test_a_validated_period_hours_can_no_longer_change(browser, page_of, trainee, period):
    browser.post(f"{period_url(period)}valider/", {"version": 1})

    response = browser.post(period_url(period), {f"heures_{trainee.pk}": "10", "version": 2}, follow=True)

    assert "Cette période est validée : ses heures ne peuvent plus être modifiées." in page_of(response).text
    assert not DeclarationHeures.objects.exists()


def test_forms_refuse_a_post_without_csrf_token(primary_account, seat, period):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(primary_account)

    assert browser.post(inscription_url(seat), NEW_TRAINEE | {"version": 1}).status_code == 403
    assert browser.post(f"{period_url(period)}valider/", {"version": 1}).status_code == 403
    seat.refresh_from_db()
    period.refresh_from_db()
    assert seat.stagiaire is None
    assert not period.is_validated
