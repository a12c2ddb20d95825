from django import forms

from core.text import validate_plain_text
from passkeys.models import NAME_MAX_LENGTH

# A browser's response is a few hundred bytes to a few kilobytes.
CREDENTIAL_MAX_LENGTH = 16_000
NEEDS_JAVASCRIPT = (
    "Votre navigateur n’a pas transmis de réponse de clé d’accès. "
    "Cette fonction nécessite JavaScript : activez-le, puis réessayez."
)


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label="Nom de la clé d’accès",
        max_length=NAME_MAX_LENGTH,
        validators=[validate_plain_text],
        help_text="Pour la reconnaître dans la liste, par exemple « PC du bureau » ou « Téléphone ».",
        error_messages={
            "required": "Veuillez donner un nom à la clé d’accès.",
            "max_length": f"Le nom ne doit pas dépasser {NAME_MAX_LENGTH} caractères.",
        },
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class CredentialForm(forms.Form):
    """The browser's response, put in a hidden field by static/js/passkeys.js."""

    credential = forms.CharField(
        label="Réponse de la clé d’accès",
        widget=forms.HiddenInput,
        max_length=CREDENTIAL_MAX_LENGTH,
        error_messages={
            "required": NEEDS_JAVASCRIPT,
            "max_length": "La réponse de la clé d’accès est trop longue : elle n’a pas été acceptée.",
        },
    )


class AddPasskeyForm(PasskeyNameForm, CredentialForm):
    field_order = ("name", "credential")
