"""Sessions end after SESSION_IDLE_TIMEOUT_SECONDS without activity, and
SESSION_ABSOLUTE_LIFETIME_SECONDS after login whatever the activity.

The clock is moved with time-machine, as the whole process sees it."""

import time

import pytest
from django.test import Client

from accounts import middleware
from tests.pages import read_page

MINUTE = 60
IDLE_MESSAGE = "Votre session a expiré après une période d’inactivité. Veuillez vous reconnecter."
MAXIMUM_MESSAGE = "Votre session a atteint sa durée maximale. Veuillez vous reconnecter."


START = 1_800_000_000.0


class Clock:
    """The time as the whole process sees it, stopped, moved forward on demand."""

    def __init__(self, time_machine):
        self._time_machine = time_machine
        time_machine.move_to(START, tick=False)

    def now(self):
        return time.time()

    def advance(self, seconds):
        self._time_machine.shift(seconds)


@pytest.fixture
def clock(time_machine):
    return Clock(time_machine)


@pytest.fixture
def browser(secondary_account, password, clock):
    """A browser logged in as test.identifiant through the login page."""
    browser = Client()
    response = browser.post("/connexion/", {"identifiant": "test.identifiant", "password": password})
    assert response.status_code == 302
    return browser


def assert_logged_out_with(browser, message, path="/"):
    response = browser.get(path)
    assert response.status_code == 302
    assert response.url == f"/connexion/?next={path}"
    login_page = browser.get(response.url)
    assert login_page.status_code == 200
    assert message in read_page(login_page).text
    assert "_auth_user_id" not in browser.session
    # And the session stays closed.
    assert browser.get(path).status_code == 302


def test_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all(settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * MINUTE
    assert settings.SESSION_ABSOLUTE_LIFETIME_SECONDS == 12 * 60 * MINUTE


def test_active_user_keeps_the_session_beyond_the_idle_timeout(browser, clock):
    for _ in range(6):
        clock.advance(20 * MINUTE)
        assert browser.get("/").status_code == 200


def test_idle_user_is_logged_out_and_told_why(browser, clock):
    clock.advance(29 * MINUTE)
    assert browser.get("/").status_code == 200

    clock.advance(30 * MINUTE)

    assert_logged_out_with(browser, IDLE_MESSAGE)


def test_idle_session_ends_on_the_page_asked_for_and_comes_back_to_it(browser, clock, password):
    clock.advance(31 * MINUTE)

    response = browser.get("/mon-compte/modifications/")

    assert response.url == "/connexion/?next=/mon-compte/modifications/"
    login = browser.post(response.url, {"identifiant": "test.identifiant", "password": password})
    assert login.url == "/mon-compte/modifications/"
    assert browser.get(login.url).status_code == 200


def test_expired_session_refuses_a_form_submission(browser, clock):
    clock.advance(31 * MINUTE)

    response = browser.post("/mon-compte/modifications/", {"identifiant": "pirate"})

    assert response.status_code == 302
    assert response.url == "/connexion/"
    assert IDLE_MESSAGE in read_page(browser.get(response.url)).text


def test_session_ends_after_the_absolute_lifetime_even_when_active(browser, clock):
    # Active on Mon compte, a page for signed-in users only (the home page counts everything: 35 visits).
    for _ in range(12 * 3 - 1):
        clock.advance(20 * MINUTE)
        assert browser.get("/mon-compte/modifications/").status_code == 200

    clock.advance(20 * MINUTE)

    assert_logged_out_with(browser, MAXIMUM_MESSAGE)


def test_last_activity_is_written_at_most_once_a_minute(browser, clock):
    started = browser.session[middleware.LAST_ACTIVITY_KEY]

    clock.advance(30)
    browser.get("/")
    assert browser.session[middleware.LAST_ACTIVITY_KEY] == started

    clock.advance(31)
    browser.get("/")
    assert browser.session[middleware.LAST_ACTIVITY_KEY] == started + 61


def test_timeouts_come_from_the_settings(browser, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 5 * MINUTE

    clock.advance(4 * MINUTE)
    assert browser.get("/").status_code == 200
    clock.advance(6 * MINUTE)

    assert_logged_out_with(browser, IDLE_MESSAGE)


def test_sessions_opened_otherwise_expire_too(client_of, secondary_account, clock):
    client = client_of(secondary_account)
    assert client.get("/").status_code == 200

    clock.advance(31 * MINUTE)

    assert_logged_out_with(client, IDLE_MESSAGE)


def test_session_without_a_clock_starts_one_instead_of_ending(client_of, secondary_account, clock):
    client = client_of(secondary_account)
    session = client.session
    del session[middleware.LOGIN_AT_KEY], session[middleware.LAST_ACTIVITY_KEY]
    session.save()

    assert client.get("/").status_code == 200
    assert client.session[middleware.LOGIN_AT_KEY] == clock.now()
    clock.advance(31 * MINUTE)
    assert_logged_out_with(client, IDLE_MESSAGE)
