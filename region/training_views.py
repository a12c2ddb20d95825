"""Espace Région: the training the Region buys from an organisme: its actions,
their seats and their invoices."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import get_managed_organisme_or_404, is_region_agent, region_agent_required
from region.training_forms import ActionForm, InvoiceForm, InvoiceStatusForm, SeatsForm
from training import region_services
from training.models import ActionFormation, Facture


def get_action_for_region_or_404(actor, pk):
    actions = ActionFormation.objects.all() if is_region_agent(actor) else ActionFormation.objects.none()
    return get_object_or_404(actions.select_related("organisme"), pk=pk)


def get_invoice_for_region_or_404(actor, pk):
    invoices = Facture.objects.all() if is_region_agent(actor) else Facture.objects.none()
    return get_object_or_404(invoices.select_related("action__organisme"), pk=pk)


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
            action = region_services.create_action(
                organisme=organisme, data=form.cleaned_data, acting_account=request.user
            )
        except region_services.BdcAlreadyUsed:
            form.add_error("numero_bdc", _("Une action avec ce numéro de BDC existe déjà."))
        else:
            messages.success(request, _("L'action %(bdc)s a bien été créée.") % {"bdc": action.numero_bdc})
            return redirect("region:training_action_detail", action.pk)
    return render(request, "region/training_action_form.html", {"organisme": organisme, "form": form})


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
            region_services.announce_seats(action, count=count, acting_account=request.user)
        except region_services.NotEnoughPlaces as refusal:
            form.add_error(
                "nombre",
                _("L'action n'a plus que %(available)s place(s) à annoncer sur %(places)s.")
                % {"available": refusal.available, "places": action.places},
            )
        else:
            messages.success(request, _("%(count)s place(s) annoncée(s), en attente de saisie.") % {"count": count})
            return redirect("region:training_action_detail", action.pk)
    return _detail_page(request, action, seats_form=form)


@region_agent_required
@require_POST
def invoice_create(request, pk):
    action = get_action_for_region_or_404(request.user, pk)
    form = InvoiceForm(request.POST)
    if form.is_valid():
        try:
            facture = region_services.record_invoice(action, **form.cleaned_data)
        except region_services.InvoiceNumberAlreadyUsed:
            form.add_error("numero", _("Cette action a déjà une facture avec ce numéro."))
        else:
            messages.success(request, _("La facture %(numero)s a bien été enregistrée.") % {"numero": facture.numero})
            return redirect("region:training_action_detail", action.pk)
    return _detail_page(request, action, invoice_form=form)


@region_agent_required
@require_POST
def invoice_status(request, pk):
    facture = get_invoice_for_region_or_404(request.user, pk)
    form = InvoiceStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un statut."))
    else:
        try:
            facture = region_services.change_invoice_status(facture, status=form.cleaned_data["status"])
        except region_services.InvoiceAlreadyPaid:
            messages.error(
                request, _("La facture %(numero)s est payée : son statut ne change plus.") % {"numero": facture.numero}
            )
        else:
            messages.success(
                request,
                _("La facture %(numero)s est désormais : %(status)s.")
                % {"numero": facture.numero, "status": facture.get_status_display().lower()},
            )
    return redirect("region:training_action_detail", facture.action_id)
