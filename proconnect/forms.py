from django import forms

from accounts.models import User


class PasswordProofForm(forms.Form):
    identifiant = forms.CharField(label="Identifiant SIGMA", max_length=64)
    password = forms.CharField(label="Mot de passe SIGMA", widget=forms.PasswordInput, max_length=256)


class AccessRequestForm(forms.Form):
    """What the person confirms of what ProConnect said of them."""

    civilite = forms.ChoiceField(label="Civilité", choices=User.Civilite.choices)
    last_name = forms.CharField(label="Nom d’usage", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    email = forms.EmailField(label="Courriel", max_length=254)
