from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class PasswordProofForm(forms.Form):
    identifiant = forms.CharField(label=_("Identifiant SIGMA"), max_length=64)
    password = forms.CharField(label=_("Mot de passe SIGMA"), widget=forms.PasswordInput, max_length=256)


class AccessRequestForm(forms.Form):
    """What the person confirms of what ProConnect said of them."""

    civilite = forms.ChoiceField(label=_("Civilité"), choices=User.Civilite.choices)
    last_name = forms.CharField(label=_("Nom d'usage"), max_length=150)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    email = forms.EmailField(label=_("Courriel"), max_length=254)
