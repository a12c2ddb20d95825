import datetime

import pytest
from django.utils import timezone

from tests.factories import ActionFormationFactory
from training.models import ActionFormation, ActionState

START = datetime.date(2026, 3, 2)
END = datetime.date(2026, 6, 30)


@pytest.fixture
def action(db):
    return ActionFormationFactory(date_debut=START, date_fin=END)


def state_in_database(action, today):
    """The state as the lists and counts see it: through the SQL condition."""
    return [state for state in ActionState if ActionFormation.objects.in_state(state, today).filter(pk=action.pk)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (START - datetime.timedelta(days=1), ActionState.EN_ATTENTE_OUVERTURE),
        (START, ActionState.EN_COURS),
        (END, ActionState.EN_COURS),
        (END + datetime.timedelta(days=1), ActionState.EN_RETARD_FERMETURE),
    ],
)
def test_an_open_action_state_follows_its_dates(action, today, expected):
    assert action.state(today) == expected
    assert state_in_database(action, today) == [expected]


@pytest.mark.parametrize("today", [START - datetime.timedelta(days=1), START, END, END + datetime.timedelta(days=1)])
def test_a_closed_action_is_closed_whatever_the_day(action, today):
    action.closed_at = timezone.now()
    action.save()

    assert action.state(today) == ActionState.FERMEE
    assert state_in_database(action, today) == [ActionState.FERMEE]


def test_a_one_day_action_is_in_progress_on_that_day_only(db):
    action = ActionFormationFactory(date_debut=START, date_fin=START)

    assert action.state(START - datetime.timedelta(days=1)) == ActionState.EN_ATTENTE_OUVERTURE
    assert state_in_database(action, START) == [ActionState.EN_COURS]
    assert state_in_database(action, START + datetime.timedelta(days=1)) == [ActionState.EN_RETARD_FERMETURE]
