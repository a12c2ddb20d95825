from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone

from accounts import services, two_factor
from accounts.models import IDENTIFIANT_TAKEN, User
from accounts.password_validation import MAXIMUM_LENGTH
from core.text import validate_plain_text


def check_chosen_identifiant(identifiant: str, *, chosen_by: User | None = None) -> str:
    """The rules of an identifiant someone chooses, the same on Mon compte and for
    a Région agent created on the command line: no space, and not another
    account's, compared as the unique index on LOWER(identifiant) compares."""
    if any(char.isspace() for char in identifiant):
        raise forms.ValidationError("L’identifiant ne doit pas contenir d’espace.", code="identifiant_space")
    others = User.objects.with_identifiant(identifiant)
    if chosen_by is not None:
        others = others.exclude(pk=chosen_by.pk)
    if others.exists():
        raise forms.ValidationError(IDENTIFIANT_TAKEN, code="identifiant_taken")
    return identifiant


class LoginForm(forms.Form):
    identifiant = forms.CharField(label="Identifiant", max_length=64)
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=MAXIMUM_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "webauthn": the browser may offer its passkeys in the field (conditional prompt).
        self.fields["identifiant"].widget.attrs.update(autocomplete="username webauthn", autofocus=True)


class AccountForm(forms.ModelForm):
    """Civilité, Nom d'usage, Prénom, Courriel: the guide's "Gestion du compte" window."""

    # Declared, not generated, so that forms borrowing them check them too.
    last_name = forms.CharField(label="Nom d’usage", max_length=150, validators=[validate_plain_text])
    first_name = forms.CharField(label="Prénom", max_length=150, validators=[validate_plain_text])

    class Meta:
        model = User
        fields = ["civilite", "last_name", "first_name", "email"]
        labels = {
            "civilite": "Civilité",
            "last_name": "Nom d’usage",
            "first_name": "Prénom",
            "email": "Courriel",
        }
        help_texts = {"email": "Adresse du nouveau compte utilisateur, qui recevra les accès."}


class AccountModificationForm(AccountForm):
    """The same window on an existing account, carrying the version it shows
    (core.versioning), so that two managers saving at once lose nothing."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeactivationForm(forms.Form):
    """The deactivation confirmation's optional end date: the account is then
    reactivated automatically at the start of that day (Europe/Paris)."""

    until = forms.DateField(
        label="Jusqu’au (facultatif)",
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="Au format JJ/MM/AAAA. Le compte sera réactivé automatiquement ce jour-là.",
        error_messages={"invalid": "Saisissez une date valide, au format JJ/MM/AAAA."},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "JJ/MM/AAAA", "inputmode": "numeric"}),
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until <= timezone.localdate():
            raise forms.ValidationError("La date doit être postérieure à aujourd’hui.")
        return until


class PasswordGenerationForm(forms.Form):
    identifiant = forms.CharField(label="Identifiant", max_length=64)
    last_name = forms.CharField(label="Nom d’usage", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    email = forms.EmailField(label="Courriel")


class IdentifiantReminderForm(forms.Form):
    last_name = forms.CharField(label="Nom d’usage", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    email = forms.EmailField(label="Courriel")


class CredentialsForm(forms.Form):
    """Mon compte > Modifications: identifiant and password.

    The current password is asked for unless the user arrived through a
    one-time link (then they hold only a temporary password they never saw).
    """

    current_password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        max_length=MAXIMUM_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    identifiant = forms.CharField(
        label="Identifiant", max_length=64, help_text="64 caractères max.", validators=[validate_plain_text]
    )
    new_password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=MAXIMUM_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password_confirmation = forms.CharField(
        label="Confirmer le mot de passe",
        strip=False,
        max_length=MAXIMUM_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        kwargs.setdefault("initial", {"identifiant": user.identifiant})
        super().__init__(*args, **kwargs)
        if user.has_temporary_password:
            del self.fields["current_password"]

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        # A wrong one counts toward the lockout, as a wrong login does.
        if not services.confirm_password(self.user, password):
            raise forms.ValidationError("Le mot de passe actuel est incorrect.", code="password_incorrect")
        return password

    def clean_identifiant(self) -> str:
        return check_chosen_identifiant(self.cleaned_data["identifiant"], chosen_by=self.user)

    def clean(self):
        cleaned_data = super().clean() or {}
        password = cleaned_data.get("new_password")
        confirmation = cleaned_data.get("new_password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error(
                "new_password_confirmation",
                forms.ValidationError("Les deux mots de passe ne sont pas identiques.", code="password_mismatch"),
            )
        if password:
            # Judge the password against the identifiant the user is about to keep.
            candidate = User(
                identifiant=cleaned_data.get("identifiant", self.user.identifiant),
                first_name=self.user.first_name,
                last_name=self.user.last_name,
                email=self.user.email,
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("new_password", error)
        return cleaned_data


class SecondFactorCodeForm(forms.Form):
    """A code of the user's authenticator app, or one of their recovery codes.
    Whether it is right is for accounts.services to say, which counts the
    wrong ones toward the lockout."""

    code = forms.CharField(
        label="Code de vérification",
        max_length=32,
        help_text="Les 6 chiffres affichés par votre application d’authentification, ou l’un de vos codes de secours.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class ReauthenticationForm(forms.Form):
    """The current password, asked again before a security-sensitive change."""

    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=MAXIMUM_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class EnrolmentForm(forms.Form):
    """The first code of the app being set up, proving it holds the secret."""

    code = forms.CharField(
        label="Code à 6 chiffres",
        max_length=16,
        help_text="Le code affiché par votre application après l’ajout du compte SIGMA.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, key, *args, **kwargs):
        self.key = key
        self.time_step = None
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.time_step = two_factor.matching_time_step(self.key, code)
        if self.time_step is None:
            raise forms.ValidationError(
                (
                    "Ce code ne correspond pas. Vérifiez que l’heure de votre téléphone est juste "
                    "et saisissez le code affiché à l’instant."
                ),
                code="wrong_code",
            )
        return code


class RegionAgentForm(forms.Form):
    """What create_region_agent asks for, checked as the screens check it (here,
    beside the account forms, so that the command needs nothing of the Espace Région)."""

    civilite = forms.ChoiceField(label="Civilité", choices=User.Civilite.choices)
    last_name = AccountForm.base_fields["last_name"]
    first_name = AccountForm.base_fields["first_name"]
    email = forms.EmailField(label="Courriel", max_length=254)
    identifiant = forms.CharField(label="Identifiant", max_length=64, validators=[validate_plain_text])

    def clean_identifiant(self) -> str:
        return check_chosen_identifiant(self.cleaned_data["identifiant"])


class ContactDetailsForm(AccountModificationForm):
    """Mes coordonnées: the account's own civilité, nom d'usage, prénom and
    courriel, with the version it shows (core.versioning)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "email"
        ].help_text = (
            "Une nouvelle adresse ne remplace l’actuelle qu’une fois confirmée depuis le lien qui lui est envoyé."
        )
