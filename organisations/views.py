"""Gestion organisme: Ma fiche organisme and Comptes utilisateurs (primary account only)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import handover, reauthentication
from accounts.management_pages import account_action_page, create_account_page, update_account_page
from accounts.models import User
from accounts.permissions import (
    get_managed_account_or_404,
    get_pending_proposal_for,
    get_proposal_made_by_or_404,
    managed_accounts,
    primary_account_required,
)
from accounts.two_factor import with_second_factor_state
from core.text import holding_every_word
from organisations import services as organisme_services
from organisations.forms import AccountSearchForm
from outbox.models import with_last_email

PAGE_SIZES = (10, 25, 50, 100)
ACCOUNT_ORDER = ("last_name", "first_name", "pk")
DEFAULT_PAGE_SIZE = 10


@primary_account_required
def organisme_detail(request):
    """Ma fiche organisme."""
    return render(
        request,
        "organisations/organisme_detail.html",
        {
            "organisme": request.user.organisme,
            "primary": with_last_email(User.objects.filter(pk=request.user.pk)).get(),
        },
    )


@require_POST
@primary_account_required
@reauthentication.required(return_to="organisations:organisme_detail")
def two_factor_requirement(request):
    """Ma fiche organisme: require the second factor of every account, or stop."""
    required = request.POST.get("required") == "1"
    organisme = request.user.organisme
    organisme_services.set_two_factor_requirement(organisme, required=required, acting_account=request.user)
    if required:
        message = (
            "La double authentification est désormais obligatoire pour tous les comptes de l’organisme "
            "%(organisme)s : chacun devra la configurer à sa prochaine connexion."
        )
    else:
        message = "La double authentification n’est plus obligatoire pour les comptes de l’organisme %(organisme)s."
    messages.success(request, message % {"organisme": organisme.raison_sociale})
    return redirect("organisations:organisme_detail")


@primary_account_required
def account_list(request):
    """Comptes utilisateurs: INFORMATIONS DES COMPTES SECONDAIRES."""
    accounts = managed_accounts(request.user).order_by(*ACCOUNT_ORDER)
    # An overlong query or one with NUL characters (which PostgreSQL refuses)
    # is explained next to the field, and the whole list shown.
    search_form = AccountSearchForm(request.GET, auto_id="%s")
    query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    # By identifiant, nom d'usage, prénom or courriel, every word typed, whatever the accents: as the Région searches.
    accounts = holding_every_word(accounts, query)
    try:
        page_size = int(request.GET.get("par_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        page_size = DEFAULT_PAGE_SIZE
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    page = Paginator(accounts, page_size).get_page(request.GET.get("page"))
    # The last e-mail and second factor, for the page's accounts only: asked of
    # the whole list, the database works them out for every account it sorts.
    page.object_list = with_second_factor_state(
        with_last_email(User.objects.filter(pk__in=page.object_list.values("pk")))  # type: ignore[attr-defined]
    ).order_by(*ACCOUNT_ORDER)
    return render(
        request,
        "organisations/account_list.html",
        {
            "organisme": request.user.organisme,
            "page": page,
            "search_form": search_form,
            "query": query,
            "page_size": page_size,
            "page_sizes": PAGE_SIZES,
            "handover_proposal": get_pending_proposal_for(request.user),
            # INFORMATIONS DU COMPTE PRINCIPAL, above the secondary accounts (the guide's first screenshot).
            "primary": with_last_email(User.objects.filter(pk=request.user.pk)).get(),
        },
    )


@primary_account_required
def account_create(request):
    return create_account_page(
        request, organisme=request.user.organisme, back_url=reverse("organisations:account_list")
    )


@primary_account_required
def account_update(request, pk):
    account = get_managed_account_or_404(request.user, pk)
    return update_account_page(request, account, back_url=reverse("organisations:account_list"))


@primary_account_required
def account_action(request, pk, action):
    account = get_managed_account_or_404(request.user, pk)
    return account_action_page(request, account, action, back_url=reverse("organisations:account_list"))


@primary_account_required
@reauthentication.required
def handover_propose(request, pk):
    """Proposer le rôle de compte principal: confirmation page (GET), then the proposal (POST)."""
    account = get_managed_account_or_404(request.user, pk)
    back_url = reverse("organisations:account_list")
    if request.method == "GET" and not account.can_log_in:
        messages.info(request, "Cette action ne s’applique pas à ce compte dans son état actuel.")
        return redirect(back_url)
    if request.method == "POST":
        try:
            handover.propose_handover(proposed_to=account, acting_account=request.user)
        except handover.HandoverRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                (
                    "Le rôle de compte principal de l’organisme %(organisme)s a bien été proposé à %(name)s. "
                    "Un courriel de proposition a été envoyé à l’adresse du compte : le transfert prendra effet quand "
                    "cette personne l’acceptera depuis sa page d’accueil."
                )
                # A secondary account always belongs to an organisme.
                % {"organisme": account.organisme.raison_sociale, "name": account.civil_name},  # type: ignore[union-attr]
            )
        return redirect(back_url)
    return render(
        request,
        "organisations/handover_propose.html",
        {
            "account": account,
            "organisme": account.organisme,
            "back_url": back_url,
            "pending_proposal": get_pending_proposal_for(request.user),
        },
    )


@require_POST
@primary_account_required
def handover_cancel(request, proposal_pk):
    """Annuler la proposition, from Comptes utilisateurs."""
    proposal = get_proposal_made_by_or_404(request.user, proposal_pk)
    try:
        handover.cancel_handover(proposal, acting_account=request.user)
    except handover.HandoverRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, handover.withdrawn_message(proposal))
    return redirect("organisations:account_list")
