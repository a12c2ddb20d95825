"""Espace Région: Transférer le rôle de compte principal of an organisme to one
of its secondary accounts, at once (accounts.handover)."""

from typing import cast

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from accounts import handover, reauthentication
from accounts.permissions import get_managed_organisme_or_404, region_agent_required


class HandOverForm(forms.Form):
    new_primary: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Nouveau compte principal",
        queryset=None,
        empty_label="Choisir un compte secondaire actif",
    )
    former_primary_becomes = forms.ChoiceField(
        label="Le compte principal actuel devient :",
        choices=handover.FormerPrimaryBecomes.choices,
        initial=handover.FormerPrimaryBecomes.SECONDARY,
        widget=forms.RadioSelect,
    )

    def __init__(self, organisme, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["new_primary"])
        field.queryset = handover.eligible_successors(organisme).order_by("last_name", "first_name", "pk")
        field.label_from_instance = lambda account: f"{account.civil_name} ({account.identifiant})"  # type: ignore[method-assign,assignment]


@region_agent_required
@reauthentication.required
def hand_over(request, organisme_pk):
    organisme = get_managed_organisme_or_404(request.user, organisme_pk)
    form = HandOverForm(organisme, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new_primary = handover.hand_over_primary_role(
                organisme=organisme,
                new_primary=form.cleaned_data["new_primary"],
                former_primary_becomes=form.cleaned_data["former_primary_becomes"],
                acting_account=request.user,
            )
        except handover.HandoverRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, handover.handed_over_message(organisme, new_primary))
            return redirect("region:organisme_detail", organisme.pk)
    return render(
        request,
        "region/hand_over.html",
        {"form": form, "organisme": organisme, "primary": organisme.primary_account},
    )
