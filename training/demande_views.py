"""Demandes de modification: the list (an organisme's own, every one for the
Région), filing one from the BDC page, and a demande's page, where the Région
accepts or refuses it with a comment."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import is_region_agent
from accounts.views import AuthenticatedRequest
from core.conflicts import conflict_message
from core.versioning import StaleEdit
from training import demandes
from training.forms import DemandeAnswerForm, DemandeFilterForm, DemandeForm
from training.models import DemandeModification
from training.permissions import (
    get_demande_to_answer_or_404,
    get_editable_action_or_404,
    get_visible_demande_or_404,
    may_answer_demande,
    visible_demandes,
)

PAGE_SIZE = 25


def demande_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = DemandeFilterForm(request.GET)
    statut = filters.cleaned_data["statut"] if filters.is_valid() else ""
    found = visible_demandes(request.user)
    title = "Demandes de modification"
    if statut == DemandeModification.Status.EN_ATTENTE:
        # What the home pages count, by the same rule.
        found = found.pending()
        title = "Demandes de modification en attente de traitement"
    elif statut:
        found = found.filter(status=statut)
        title = {"acceptee": "Demandes de modification acceptées", "refusee": "Demandes de modification refusées"}[
            statut
        ]
    found = found.select_related("action__organisme").order_by("-created_at", "-pk")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "demandes/demande_list.html",
        {
            "title": title,
            "filtered": bool(statut),
            "filters": filters,
            "page": page,
            "is_region": is_region_agent(request.user),
        },
    )


def demande_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = get_editable_action_or_404(request.user, pk)
    form = DemandeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        demandes.file_demande(action, **form.cleaned_data, acting_account=request.user)
        messages.success(
            request,
            "Votre demande de modification a bien été envoyée à la Région. "
            "Vous recevrez sa réponse par courriel et la retrouverez sur cette page.",
        )
        return redirect(f"{reverse('training:action_detail', args=[action.pk])}#demandes")
    return render(request, "demandes/demande_form.html", {"action": action, "form": form})


def _detail_page(
    request: AuthenticatedRequest, demande: DemandeModification, form: DemandeAnswerForm | None = None
) -> HttpResponse:
    if form is None and may_answer_demande(request.user, demande):
        form = DemandeAnswerForm(initial={"version": demande.version})
    return render(request, "demandes/demande_detail.html", {"demande": demande, "action": demande.action, "form": form})


def demande_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_visible_demande_or_404(request.user, pk))


@require_POST
def demande_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    demande = get_demande_to_answer_or_404(request.user, pk)
    form = DemandeAnswerForm(request.POST)
    if not form.is_valid():
        if not demande.is_pending:
            messages.info(request, "Cette demande a déjà été traitée.")
            return redirect("training:demande_detail", demande.pk)
        return _detail_page(request, demande, form)
    accept = form.cleaned_data["decision"] == "accepter"
    try:
        demandes.answer_demande(
            demande,
            accept=accept,
            reponse=form.cleaned_data["reponse"],
            based_on_version=form.cleaned_data["version"],
            acting_account=request.user,
        )
    except StaleEdit as stale:
        note = "La demande a été traitée entre-temps : relisez sa réponse ci-dessous."
        messages.error(request, f"{conflict_message(stale.current)} {note}")
    except demandes.DemandeAlreadyAnswered:
        messages.info(request, "Cette demande a déjà été traitée.")
    else:
        done = "acceptée" if accept else "refusée"
        messages.success(
            request, f"La demande a bien été {done}. L’organisme en est informé par courriel avec votre commentaire."
        )
    return redirect("training:demande_detail", demande.pk)
