"""Timing must not tell matches apart (issue 14, F4): status and body are
already the same whether or not what was typed matches an account; so is the
time the page takes. Each test times both ways through a page through the
test client, interleaved, and fails when the Mann-Whitney rank test finds
them apart (p < 0.001) by at least a millisecond (tests/timing.py).

Calibration (a loaded two-core machine, SQLite): before the fix, the
Génération de mot de passe page took 168 ms more when the four fields matched
(p = 3e-34, 100 samples a side) and Identifiant oublié 107 ms more (p = 3e-32);
after it, p = 0.68 and 0.53 with shifts under 3 ms either way. A real
difference is thousands of times past the threshold, and no difference is
flagged only once in a thousand runs, and then only if also over a millisecond."""

import pytest
from django.test import Client

from accounts.models import User
from tests.timing import compare, sample

# Argon2id is most of a login's time: what an observer would time is the real one.
# Hundreds of timed requests each: seconds per test, so `slow` (make test runs them).
pytestmark = [pytest.mark.django_db, pytest.mark.argon2, pytest.mark.slow]

WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"
MAX_P_VALUE = 0.001
VISIBLE_SECONDS = 0.001


@pytest.fixture(autouse=True)
def _no_ip_limit(settings):
    # Every sample comes from the same address; the per-IP limits are tested elsewhere.
    settings.LOGIN_FAILURES_PER_IP = 10**6
    settings.ACCOUNT_RECOVERY_REQUESTS_PER_IP = 10**6


@pytest.fixture
def browser():
    browser = Client()
    # Loaded once before timing anything.
    browser.get("/connexion/")
    return browser


def assert_indistinguishable(first, second):
    comparison = compare(first, second)
    assert not (comparison.p_value < MAX_P_VALUE and abs(comparison.shift) >= VISIBLE_SECONDS), comparison


def test_a_wrong_password_takes_as_long_on_an_unknown_identifiant_as_on_an_account(browser, secondary_account):
    def on_account(_number):
        browser.post("/connexion/", {"identifiant": "test.identifiant", "password": WRONG_PASSWORD})

    def on_unknown_identifiant(number):
        # A new one each time, as someone probing identifiants tries each once.
        browser.post("/connexion/", {"identifiant": f"inconnu.{number}", "password": WRONG_PASSWORD})

    def first_failure():
        User.objects.filter(pk=secondary_account.pk).update(failed_login_count=0)

    assert_indistinguishable(*sample(on_account, on_unknown_identifiant, count=40, prepare=first_failure))


def test_password_generation_takes_as_long_whether_or_not_the_four_fields_match(browser, secondary_account):
    details = {
        "identifiant": "test.identifiant",
        "last_name": "NOM TEST COMPTE",
        "first_name": "PRENOM TEST COMPTE",
        "email": "aa1@aa.fr",
    }

    def matching(_number):
        browser.post("/generation-mot-de-passe/", details)

    def not_matching(_number):
        browser.post("/generation-mot-de-passe/", details | {"email": "autre@aa.fr"})

    assert_indistinguishable(*sample(matching, not_matching, count=60))


def test_identifiant_reminder_takes_as_long_whether_or_not_the_details_match(browser, secondary_account):
    details = {"last_name": "NOM TEST COMPTE", "first_name": "PRENOM TEST COMPTE", "email": "aa1@aa.fr"}

    def matching(_number):
        browser.post("/identifiant-oublie/", details)

    def not_matching(_number):
        browser.post("/identifiant-oublie/", details | {"email": "autre@aa.fr"})

    assert_indistinguishable(*sample(matching, not_matching, count=60))


# The rank test itself


def test_the_rank_test_gives_the_textbook_p_value_of_two_separate_groups():
    # U = 0 for 5 against 5: z = (12.5 - 0.5) / sqrt(25 * 11 / 12) = 2.5067, p = 2 (1 - Phi(z)) = 0.0122.
    comparison = compare([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])

    assert comparison.p_value == pytest.approx(0.01219, abs=1e-4)
    assert comparison.shift == -5


def test_the_rank_test_finds_nothing_between_two_interleaved_groups():
    assert compare([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]).p_value > 0.5
    assert compare([4, 4, 4], [4, 4, 4]).p_value == 1
