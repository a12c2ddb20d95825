import datetime
import re
from html import unescape

import pytest
from django.core.cache import cache

from tests.factories import (
    ActionFormationFactory,
    InscriptionFactory,
    PeriodeDeclarationFactory,
    StagiaireFactory,
)


@pytest.fixture(autouse=True)
def _forget_page_viewers():
    """The BDC page remembers its viewers in the cache: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def action(organisme):
    return ActionFormationFactory(
        organisme=organisme,
        numero_bdc="BDC-2026-0042",
        intitule="Titre professionnel Secrétaire assistant",
        lieu="Montpellier",
        date_debut=datetime.date(2026, 9, 1),
        date_fin=datetime.date(2027, 3, 31),
    )


@pytest.fixture
def other_action(other_organisme):
    return ActionFormationFactory(organisme=other_organisme, numero_bdc="BDC-AUTRE-0001", intitule="Autre formation")


@pytest.fixture
def trainee(action):
    """An inscription with its trainee, Mme DUPONT Léa."""
    return InscriptionFactory(
        action=action,
        stagiaire=StagiaireFactory(
            organisme=action.organisme,
            nom="DUPONT",
            prenom="Léa",
            date_naissance=datetime.date(1995, 4, 12),
            identifiant_france_travail="1234567A",
        ),
        date_entree=datetime.date(2026, 9, 1),
    )


@pytest.fixture
def seat(action):
    """A seat "en attente de saisie"."""
    return InscriptionFactory(action=action, awaiting_entry=True)


@pytest.fixture
def period(action):
    return PeriodeDeclarationFactory(action=action, mois=datetime.date(2026, 10, 1))


@pytest.fixture
def hidden_version():
    """`hidden_version(response)`: the version the page's form was based on."""

    def read(response):
        match = re.search(r'<input type="hidden" name="version" value="(\d+)"', response.content.decode())
        assert match, "no version on the page"
        return int(match.group(1))

    return read


@pytest.fixture
def form_values():
    """`form_values(response)`: the values of the page's text inputs, by name."""

    def read(response):
        page = response.content.decode()
        values = {}
        for field in re.findall(r"<input\b[^>]*>", page):
            name = re.search(r'\bname="([^"]+)"', field)
            value = re.search(r'\bvalue="([^"]*)"', field)
            if name and name.group(1) != "csrfmiddlewaretoken":
                values[name.group(1)] = unescape(value.group(1)) if value else ""
        return values

    return read
