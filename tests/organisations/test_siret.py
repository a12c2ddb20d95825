import pytest
from django.core.exceptions import ValidationError

from organisations.models import Organisme
from organisations.validators import validate_siret


@pytest.mark.parametrize("siret", ["12345678913000", "98765432100007", "35600000000010"])
def test_valid_sirets_are_accepted(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("12345678913001", "clé de contrôle"),
        ("1234567891300", "14 chiffres"),
        ("123456789130000", "14 chiffres"),
        ("1234567891300A", "14 chiffres"),
        ("\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff11\uff13\uff10\uff10\uff10", "14 chiffres"),
        ("35600000000011", "clé de contrôle"),
    ],
)
def test_invalid_sirets_are_refused_with_a_french_reason(siret, message):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert message in error.value.messages[0]


def test_siret_is_unique(organisme):
    duplicate = Organisme(raison_sociale="AUTRE", siret=organisme.siret)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "siret" in error.value.message_dict
