from django.core.exceptions import ValidationError

# La Poste's establishments share one SIREN and follow their own checksum rule.
LA_POSTE_SIREN = "356000000"


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def luhn_checksum_ok(digits: str) -> bool:
    return _luhn_sum(digits) % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits` followed by it pass the Luhn checksum."""
    # A trailing 0 puts every digit where it will stand and adds nothing.
    return str(-_luhn_sum(digits + "0") % 10)


def validate_siret(value: str) -> None:
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        raise ValidationError("Le SIRET doit comporter exactement 14 chiffres.", code="siret_format")
    if value.startswith(LA_POSTE_SIREN):
        valid = sum(int(char) for char in value) % 5 == 0
    else:
        valid = luhn_checksum_ok(value)
    if not valid:
        raise ValidationError("Ce numéro SIRET n’est pas valide (clé de contrôle incorrecte).", code="siret_checksum")
