"""The history's filters: compte, événement, du / au, and the organisme for the Region."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from organisations.models import Organisme

# Outside these bounds a date is a typing error; they also keep the day's
# limits within what datetime and the databases can hold.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)
DATE_RANGE_MESSAGE = "Saisissez une date comprise entre le 01/01/2000 et le 31/12/2999."


class AccountChoiceField(forms.ModelChoiceField):
    """The accounts of the scope, deleted ones included under the name they kept."""

    def __init__(self, *args, with_organisme=False, **kwargs):
        self.with_organisme = with_organisme
        super().__init__(*args, **kwargs)

    def label_from_instance(self, account):
        label = account.full_name
        if self.with_organisme:
            where = account.organisme.raison_sociale if account.organisme_id else User.Kind.REGION_AGENT.label
            label = f"{label} - {where}"
        if account.is_deleted:
            label = "%(name)s (supprimé)" % {"name": label}
        return label


class HistoryDateField(forms.DateField):
    widget = forms.DateInput(
        attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}, format="%Y-%m-%d"
    )
    default_error_messages = {"invalid": "Saisissez une date valide, par exemple 31/12/2026."}
    default_validators = [
        MinValueValidator(EARLIEST_DATE, message=DATE_RANGE_MESSAGE),
        MaxValueValidator(LATEST_DATE, message=DATE_RANGE_MESSAGE),
    ]

    def __init__(self, **kwargs):
        # ISO is what browsers send from a date picker; the French format is what people type.
        super().__init__(required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)


def _start_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class HistoryFilterForm(forms.Form):
    """Bound to the query string; every filter is optional."""

    compte = AccountChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Compte",
        empty_label="Tous les comptes",
        error_messages={"invalid_choice": "Sélectionnez un compte de la liste."},
    )
    evenement = forms.ChoiceField(
        label="Événement",
        required=False,
        choices=[("", "Tous les événements"), *AuditEntry.Action.choices],
        error_messages={"invalid_choice": "Sélectionnez un événement de la liste."},
    )
    du = HistoryDateField(label="Du")
    au = HistoryDateField(label="Au")

    def __init__(self, data, *, accounts):
        super().__init__(data)
        self.fields["compte"].queryset = accounts.order_by("last_name", "first_name", "pk")  # type: ignore[attr-defined]

    def clean(self):
        cleaned_data = super().clean() or {}
        start, end = cleaned_data.get("du"), cleaned_data.get("au")
        if start and end and end < start:
            self.add_error("au", "La date de fin doit être postérieure ou égale à la date de début.")
        return cleaned_data

    def filter(self, entries):
        """`entries` narrowed to the filters; call once the form is valid."""
        data = self.cleaned_data
        if data["compte"]:
            entries = entries.filter(account=data["compte"])
        if data["evenement"]:
            entries = entries.filter(action=data["evenement"])
        if data["du"]:
            entries = entries.filter(at__gte=_start_of_day(data["du"]))
        if data["au"]:
            entries = entries.filter(at__lt=_start_of_day(data["au"] + datetime.timedelta(days=1)))
        return entries


class RegionHistoryFilterForm(HistoryFilterForm):
    """Everything sigma recorded, with the organisme as one more filter."""

    organisme = forms.ModelChoiceField(
        queryset=Organisme.objects.order_by("raison_sociale", "pk"),
        required=False,
        label="Organisme",
        empty_label="Tous les organismes",
        error_messages={"invalid_choice": "Sélectionnez un organisme de la liste."},
    )
    field_order = ["organisme", "compte", "evenement", "du", "au"]

    def __init__(self, data):
        super().__init__(data, accounts=User.objects.select_related("organisme"))
        self.fields["compte"].with_organisme = True  # type: ignore[attr-defined]

    def filter(self, entries):
        entries = super().filter(entries)
        if self.cleaned_data["organisme"]:
            entries = entries.filter(organisme=self.cleaned_data["organisme"])
        return entries
