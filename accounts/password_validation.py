import string

from django.core.exceptions import ValidationError

MINIMUM_LENGTH = 12
PASSPHRASE_LENGTH = 16
MAXIMUM_LENGTH = 128


class LengthAndCompositionValidator:
    """The CNIL's advice: 12 characters mixing upper and lower case, digits and
    special characters; or a passphrase of 16 characters or more of any kind.
    At most 128 characters, never truncated."""

    def validate(self, password, user=None):
        if len(password) > MAXIMUM_LENGTH:
            raise ValidationError(
                "Le mot de passe ne doit pas dépasser %(max)d caractères." % {"max": MAXIMUM_LENGTH},
                code="password_too_long",
            )
        if len(password) >= PASSPHRASE_LENGTH:
            return
        if len(password) < MINIMUM_LENGTH:
            raise ValidationError(
                (
                    "Le mot de passe doit comporter au moins %(min)d caractères "
                    "(ou au moins %(passphrase)d caractères pour une phrase de passe)."
                )
                % {"min": MINIMUM_LENGTH, "passphrase": PASSPHRASE_LENGTH},
                code="password_too_short",
            )
        missing = [
            label
            for label, present in (
                ("une majuscule", any(c.isupper() for c in password)),
                ("une minuscule", any(c.islower() for c in password)),
                ("un chiffre", any(c in string.digits for c in password)),
                ("un caractère spécial", any(not c.isalnum() for c in password)),
            )
            if not present
        ]
        if missing:
            raise ValidationError(
                (
                    "Un mot de passe de moins de %(passphrase)d caractères doit contenir au moins "
                    "une majuscule, une minuscule, un chiffre et un caractère spécial. Il manque : %(missing)s."
                )
                % {"passphrase": PASSPHRASE_LENGTH, "missing": ", ".join(missing)},
                code="password_composition",
            )

    def get_help_text(self):
        return (
            "Au moins %(min)d caractères avec des majuscules, des minuscules, des chiffres et des "
            "caractères spéciaux (!, ?, ;, :, /, *…), ou une phrase de passe d’au moins %(passphrase)d "
            "caractères ; au plus %(max)d caractères."
        ) % {"min": MINIMUM_LENGTH, "passphrase": PASSPHRASE_LENGTH, "max": MAXIMUM_LENGTH}
