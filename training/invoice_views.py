"""An invoice's page: its lines of history, and the correction of a rejected
invoice by its organisme, submitted again to the Région."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import is_region_agent
from accounts.views import AuthenticatedRequest
from core.conflicts import conflict_context
from core.versioning import StaleEdit
from training import services
from training.forms import InvoiceCorrectionForm
from training.models import Facture
from training.permissions import get_invoice_to_correct_or_404, get_visible_invoice_or_404, may_correct_invoice


def invoice_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    facture = get_visible_invoice_or_404(request.user, pk)
    return render(
        request,
        "invoices/invoice_detail.html",
        {
            "facture": facture,
            "action": facture.action,
            "events": facture.events.all(),
            "may_correct": may_correct_invoice(request.user, facture),
            "is_region": is_region_agent(request.user),
        },
    )


def _stored_values(facture: Facture) -> dict[str, Any]:
    return {"numero": facture.numero, "montant": facture.montant}


def invoice_correct(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    facture = get_invoice_to_correct_or_404(request.user, pk)
    initial = _stored_values(facture) | {"version": facture.version}
    form = InvoiceCorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    context: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        numero: str = form.cleaned_data["numero"]
        montant: Decimal = form.cleaned_data["montant"]
        try:
            services.correct_invoice(
                facture,
                based_on_version=form.cleaned_data["version"],
                numero=numero,
                montant=montant,
                acting_account=request.user,
            )
        except StaleEdit as stale:
            context = conflict_context(form, stale.current, _stored_values(stale.current))
        except services.InvoiceNotRejected:
            messages.info(request, "Cette facture n’est pas rejetée : elle ne se corrige pas.")
            return redirect("training:invoice_detail", facture.pk)
        except services.InvoiceNumberAlreadyUsed:
            form.add_error("numero", "Cette action a déjà une facture avec ce numéro.")
        else:
            messages.success(
                request, f"La facture {numero} a bien été corrigée et soumise à nouveau à la validation de la Région."
            )
            return redirect("training:invoice_detail", facture.pk)
    elif not facture.is_rejected:
        messages.info(request, "Cette facture n’est pas rejetée : elle ne se corrige pas.")
        return redirect("training:invoice_detail", facture.pk)
    return render(
        request,
        "invoices/invoice_correct.html",
        {"facture": facture, "action": facture.action, "form": form} | context,
    )
