import datetime

from django.utils import timezone

from tests.factories import UserFactory
from training import presence


def hour(moment):
    moment = timezone.localtime(moment)
    return f"{moment.hour} h {moment:%M}"


def test_a_colleague_on_the_same_bdc_is_mentioned_with_since_when(
    browser_of, page_of, action, primary_account, secondary_account
):
    secondary_account.first_name, secondary_account.last_name = "Léa", "NOM"
    secondary_account.save()
    started = timezone.now()
    browser_of(secondary_account).get(f"/actions/{action.pk}/")

    page = page_of(browser_of(primary_account).get(f"/actions/{action.pk}/"))

    assert f"Également consulté par Léa NOM depuis {hour(started)}" in page.text


def test_nobody_is_mentioned_to_themselves_or_after_five_minutes(action, primary_account, secondary_account):
    opened = timezone.now() - datetime.timedelta(minutes=6)
    presence.note_viewer(action, secondary_account, now=opened)

    assert presence.note_viewer(action, primary_account) == []
    assert presence.note_viewer(action, primary_account) == []


def test_the_hint_keeps_the_first_visit_time(action, primary_account, secondary_account):
    first = timezone.now() - datetime.timedelta(minutes=3)
    presence.note_viewer(action, secondary_account, now=first)
    presence.note_viewer(action, secondary_account, now=first + datetime.timedelta(minutes=2))

    [(name, since)] = presence.note_viewer(action, primary_account)

    assert (name, since) == (f"{secondary_account.first_name} {secondary_account.last_name}", first)


def test_region_agents_and_other_organismes_are_not_mentioned(action, primary_account, region_agent, other_organisme):
    presence.note_viewer(action, region_agent)
    presence.note_viewer(action, UserFactory(organisme=other_organisme))

    assert presence.note_viewer(action, primary_account) == []
