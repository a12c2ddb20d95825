import datetime
import re

import pytest
from django.db import IntegrityError, transaction

from accounts.models import PasswordLink, generate_identifiant
from tests.factories import UserFactory


def test_generated_identifiants_are_ten_random_lowercase_letters_and_digits(db):
    identifiants = {generate_identifiant() for _ in range(50)}
    assert len(identifiants) == 50
    assert all(re.fullmatch(r"[a-z0-9]{10}", identifiant) for identifiant in identifiants)


def test_identifiant_is_unique_regardless_of_case_in_the_database(secondary_account):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(organisme=secondary_account.organisme, identifiant=secondary_account.identifiant.upper())


def test_region_agents_have_no_organisme_and_organisme_accounts_have_one(organisme):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(region_agent=True, organisme=organisme)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(organisme=None)


def test_names_are_shown_as_the_guide_shows_them(db):
    account = UserFactory.build(civilite="monsieur", last_name="GU", first_name="Be")
    assert account.full_name == "GU Be"
    assert account.civil_name == "Monsieur GU Be"
    assert account.short_civil_name == "M. GU Be"


def test_a_password_link_tells_its_expiry_in_paris_time(secondary_account):
    expires_at = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)
    link = PasswordLink(user=secondary_account, expires_at=expires_at)

    assert str(link).endswith("(expire le 01/12/2026 00:30)")
