"""Amounts and counts the French way (core/templatetags/sigma_format.py)."""

from decimal import Decimal

import pytest

from core.templatetags.sigma_format import euros, noun


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("16800"), "16\u202f800,00\u00a0€"),
        (Decimal("950.5"), "950,50\u00a0€"),
        (Decimal("1234567.891"), "1\u202f234\u202f567,89\u00a0€"),
        (Decimal("-42"), "-42,00\u00a0€"),
        (0, "0,00\u00a0€"),
        (None, ""),
    ],
)
def test_euros(amount, shown):
    assert euros(amount) == shown


@pytest.mark.parametrize(("count", "word"), [(0, "courriel"), (1, "courriel"), (2, "courriels")])
def test_french_takes_the_singular_for_zero_and_one(count, word):
    assert noun(count, "courriel|courriels") == word


def test_plural_takes_the_singular_for_zero_and_one():
    from core.text import plural

    assert [plural("courriel", "courriels", n) for n in (0, 1, 2, 10)] == [
        "courriel",
        "courriel",
        "courriels",
        "courriels",
    ]
