"""« Valider les périodes complètes » on the BDC page: every complete,
unvalidated period in one confirmed step; a period changed by someone else
since the confirmation was read is left out and reported, never overwritten."""

import datetime
import re

from audit.models import AuditEntry
from tests.factories import DeclarationHeuresFactory, PeriodeDeclarationFactory
from training.models import DeclarationHeures, PeriodeDeclaration


def months_from(first, count):
    months, month = [], first
    for _ in range(count):
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def declared_periods(action, trainee, count, first=datetime.date(2021, 1, 1)):
    periods = []
    for month in months_from(first, count):
        periode = PeriodeDeclarationFactory(action=action, mois=month)
        DeclarationHeuresFactory(periode=periode, inscription=trainee, heures=70)
        periods.append(periode)
    return periods


def confirmed(response):
    """The hidden period fields of the confirmation page, as posted."""
    return dict(re.findall(r'name="(periode_\d+)" value="(\d+)"', response.content.decode()))


def url(action):
    return f"/actions/{action.pk}/periodes/valider-completes/"


def test_fifty_seven_periods_are_validated_in_one_confirmed_step(
    client_of, secondary_account, action, trainee, page_of
):
    trainee.date_entree = datetime.date(2021, 1, 1)
    trainee.save()
    declared_periods(action, trainee, 57)
    client = client_of(secondary_account)

    bdc = page_of(client.get(f"/actions/{action.pk}/"))
    assert bdc.href("Valider les périodes complètes (57)") == url(action)
    confirmation = client.get(url(action))
    assert page_of(confirmation).text.count("/20") == 57
    response = client.post(url(action), confirmed(confirmation), follow=True)

    assert PeriodeDeclaration.objects.filter(action=action, validated_at__isnull=True).count() == 0
    assert "57 périodes ont été validées : 01/2021, 02/2021" in page_of(response).text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERIODS_VALIDATED)
    assert entry.actor == secondary_account
    assert entry.changes["periodes"].count("/") == 57


def test_a_period_changed_after_the_confirmation_was_read_is_left_out_and_keeps_the_other_value(
    client_of, secondary_account, second_secondary_account, action, trainee, page_of
):
    trainee.date_entree = datetime.date(2021, 1, 1)
    trainee.save()
    first, changed, third = declared_periods(action, trainee, 3)
    client = client_of(secondary_account)
    confirmation = confirmed(client.get(url(action)))
    assert len(confirmation) == 3

    # Meanwhile a colleague corrects the hours of the second month.
    colleague = client_of(second_secondary_account)
    response = colleague.post(
        f"/actions/{action.pk}/periodes/{changed.pk}/", {"version": changed.version, f"heures_{trainee.pk}": "12"}
    )
    assert response.status_code == 302

    response = client_of(secondary_account).post(url(action), confirmation, follow=True)

    text = page_of(response).text
    assert "2 périodes ont été validées : 01/2021, 03/2021." in text
    name = f"{second_secondary_account.first_name} {second_secondary_account.last_name}"
    assert f"La période 02/2021 n’a pas été validée : elle a été modifiée par {name}" in text
    changed.refresh_from_db()
    assert not changed.is_validated
    assert DeclarationHeures.objects.get(periode=changed).heures == 12
    assert PeriodeDeclaration.objects.filter(pk__in=[first.pk, third.pk], validated_at__isnull=False).count() == 2


def test_a_period_missing_a_present_trainees_hours_is_not_complete(client_of, secondary_account, action, trainee):
    trainee.date_entree = datetime.date(2021, 1, 1)
    trainee.save()
    complete = declared_periods(action, trainee, 1)[0]
    PeriodeDeclarationFactory(action=action, mois=datetime.date(2021, 2, 1))  # no hours yet

    confirmation = confirmed(client_of(secondary_account).get(url(action)))

    assert confirmation == {f"periode_{complete.pk}": str(complete.version)}


def test_forged_or_empty_confirmations_change_nothing(client_of, secondary_account, action, trainee, other_action):
    trainee.date_entree = datetime.date(2021, 1, 1)
    trainee.save()
    other = PeriodeDeclarationFactory(action=other_action, mois=datetime.date(2021, 1, 1))
    client = client_of(secondary_account)

    for data in [{}, {"periode_x": "1"}, {"periode_1": "abc"}, {f"periode_{other.pk}": "1"}, {"periode_1": "9" * 40}]:
        assert client.post(url(action), data).status_code == 302

    other.refresh_from_db()
    assert not other.is_validated
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PERIODS_VALIDATED).exists()


def test_the_region_cannot_validate_an_organismes_periods(client_of, region_agent, action, trainee):
    periode = declared_periods(action, trainee, 1)[0]

    response = client_of(region_agent).post(url(action), {f"periode_{periode.pk}": periode.version})

    assert response.status_code == 403
    periode.refresh_from_db()
    assert not periode.is_validated
