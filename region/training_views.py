"""Espace Région: the training the Region buys from an organisme: its actions,
their seats and their invoices."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import get_managed_organisme_or_404, region_agent_required
from core.conflicts import conflict_context, conflict_message
from core.versioning import StaleEdit
from region.training_forms import (
    ActionClosingForm,
    ActionForm,
    ActionUpdateForm,
    InvoiceForm,
    InvoiceStatusForm,
    SeatsForm,
)
from training import services
from training.permissions import get_action_for_region_or_404, get_invoice_for_region_or_404


@region_agent_required
def action_list(request, organisme_pk):
    organisme = get_managed_organisme_or_404(request.user, organisme_pk)
    actions = organisme.actions.order_by("-date_debut", "numero_bdc")
    return render(request, "region/training_action_list.html", {"organisme": organisme, "actions": actions})


@region_agent_required
def action_create(request, organisme_pk):
    organisme = get_managed_organisme_or_404(request.user, organisme_pk)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_action(organisme=organisme, data=form.cleaned_data, acting_account=request.user)
        except services.BdcAlreadyUsed:
            form.add_error("numero_bdc", "Une action avec ce numéro de BDC existe déjà.")
        else:
            messages.success(request, "L’action %(bdc)s a bien été créée." % {"bdc": action.numero_bdc})
            return redirect("region:training_action_detail", action.pk)
    return render(request, "region/training_action_form.html", {"organisme": organisme, "form": form})


def _stored_action_values(action):
    return {name: getattr(action, name) for name in ActionForm.Meta.fields}


@region_agent_required
def action_update(request, pk):
    action = get_action_for_region_or_404(request.user, pk)
    form = ActionUpdateForm(
        request.POST if request.method == "POST" else None, instance=action, initial={"version": action.version}
    )
    context = {}
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ActionForm.Meta.fields}
        try:
            services.update_action(
                action, based_on_version=form.cleaned_data["version"], data=data, acting_account=request.user
            )
        except StaleEdit as stale:
            context = conflict_context(form, stale.current, _stored_action_values(stale.current))
        except services.PlacesBelowInscriptions as refusal:
            form.add_error(
                "places",
                "L’action compte déjà %(count)s inscription(s) : elle ne peut pas avoir moins de places."
                % {"count": refusal.inscriptions},
            )
        except services.BdcAlreadyUsed:
            form.add_error("numero_bdc", "Une action avec ce numéro de BDC existe déjà.")
        else:
            messages.success(request, "L’action BDC %(bdc)s a bien été modifiée." % {"bdc": data["numero_bdc"]})
            return redirect("region:training_action_detail", action.pk)
    # The stored values, not the ones the form has just tried on the instance.
    action.refresh_from_db()
    return render(
        request,
        "region/training_action_update.html",
        {"action": action, "organisme": action.organisme, "form": form} | context,
    )


def _change_closing(request, pk, *, close):
    """Fermer / rouvrir l'action: a confirmation page, then a POST based on the version it showed."""
    action = get_action_for_region_or_404(request.user, pk)
    if request.method != "POST":
        if (action.closed_at is not None) == close:
            messages.info(request, "L’action est déjà fermée." if close else "L’action est déjà ouverte.")
            return redirect("region:training_action_detail", action.pk)
        form = ActionClosingForm(initial={"version": action.version})
        context = {"action": action, "organisme": action.organisme, "close": close, "form": form}
        return render(request, "region/training_action_closing.html", context)
    form = ActionClosingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "La demande n’a pas pu être prise en compte : rechargez la page.")
        return redirect("region:training_action_detail", action.pk)
    try:
        services.set_action_closed(
            action, closed=close, based_on_version=form.cleaned_data["version"], acting_account=request.user
        )
    except StaleEdit as stale:
        current = stale.current
        note = "L’action est maintenant fermée." if current.closed_at else "L’action est maintenant ouverte."
        messages.error(request, f"{conflict_message(current)} {note}")
    except services.ActionAlreadyInState:
        messages.info(request, "L’action est déjà fermée." if close else "L’action est déjà ouverte.")
    else:
        done = "L’action BDC %(bdc)s est fermée." if close else "L’action BDC %(bdc)s est rouverte."
        messages.success(request, done % {"bdc": action.numero_bdc})
    return redirect("region:training_action_detail", action.pk)


@region_agent_required
def action_close(request, pk):
    return _change_closing(request, pk, close=True)


@region_agent_required
def action_reopen(request, pk):
    return _change_closing(request, pk, close=False)


def _detail_page(request, action, *, seats_form=None, invoice_form=None, status=200):
    inscriptions = action.inscriptions.all()
    context = {
        "action": action,
        "organisme": action.organisme,
        "seats": {
            "announced": inscriptions.count(),
            "awaiting_entry": inscriptions.filter(stagiaire__isnull=True).count(),
        },
        "invoices": action.factures.order_by("numero"),
        "seats_form": seats_form or SeatsForm(),
        "invoice_form": invoice_form or InvoiceForm(),
        "status_form": InvoiceStatusForm(),
    }
    return render(request, "region/training_action_detail.html", context, status=status)


@region_agent_required
def action_detail(request, pk):
    return _detail_page(request, get_action_for_region_or_404(request.user, pk))


@region_agent_required
@require_POST
def announce_seats(request, pk):
    action = get_action_for_region_or_404(request.user, pk)
    form = SeatsForm(request.POST)
    if form.is_valid():
        count = form.cleaned_data["nombre"]
        try:
            services.announce_seats(action, count=count, acting_account=request.user)
        except services.NotEnoughPlaces as refusal:
            form.add_error(
                "nombre",
                "L’action n’a plus que %(available)s place(s) à annoncer sur %(places)s."
                % {"available": refusal.available, "places": action.places},
            )
        else:
            messages.success(request, "%(count)s place(s) annoncée(s), en attente de saisie." % {"count": count})
            return redirect("region:training_action_detail", action.pk)
    return _detail_page(request, action, seats_form=form)


@region_agent_required
@require_POST
def invoice_create(request, pk):
    action = get_action_for_region_or_404(request.user, pk)
    form = InvoiceForm(request.POST)
    if form.is_valid():
        try:
            facture = services.record_invoice(action, **form.cleaned_data, acting_account=request.user)
        except services.InvoiceNumberAlreadyUsed:
            form.add_error("numero", "Cette action a déjà une facture avec ce numéro.")
        else:
            messages.success(request, "La facture %(numero)s a bien été enregistrée." % {"numero": facture.numero})
            return redirect("region:training_action_detail", action.pk)
    return _detail_page(request, action, invoice_form=form)


@region_agent_required
@require_POST
def invoice_status(request, pk):
    facture = get_invoice_for_region_or_404(request.user, pk)
    form = InvoiceStatusForm(request.POST)
    if form.errors.get("status"):
        messages.error(request, "Choisissez un statut.")
    elif form.errors.get("motif"):
        messages.error(request, f"Motif du rejet\u00a0: {form.errors['motif'][0]}")
    elif not form.is_valid():
        messages.error(request, "Le changement n’a pas pu être pris en compte : rechargez la page.")
    else:
        try:
            facture = services.change_invoice_status(
                facture,
                based_on_status=form.cleaned_data["based_on_status"],
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["motif"],
                acting_account=request.user,
            )
        except services.RejectionReasonMissing:
            messages.error(
                request,
                f"Indiquez le motif du rejet de la facture {facture.numero}\u00a0: "
                "l’organisme le lit sur la page de la facture pour la corriger.",
            )
        except services.InvoiceStatusChanged as refusal:
            messages.error(
                request,
                (
                    "Le statut de cette facture a été modifié pendant que vous le changiez : "
                    "il est maintenant « %(status)s ». Aucune modification n’a été enregistrée."
                )
                % {"status": refusal.current.get_status_display()},
            )
        except services.InvoiceAlreadyPaid:
            messages.error(
                request, "La facture %(numero)s est payée : son statut ne change plus." % {"numero": facture.numero}
            )
        else:
            messages.success(
                request,
                "La facture %(numero)s est désormais : %(status)s."
                % {"numero": facture.numero, "status": facture.get_status_display().lower()},
            )
    return redirect("region:training_action_detail", facture.action_id)
