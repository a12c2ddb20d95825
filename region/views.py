"""Espace Région: what a Region agent sees and does.

An agent acts on every organisme's accounts, primary ones included, through
the same pages and actions as a primary account (accounts.management_pages).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.account_sessions import with_open_session_count
from accounts.management_pages import (
    account_action_page,
    create_account_page,
    success_message,
    update_account_page,
)
from accounts.permissions import (
    get_managed_account_or_404,
    get_managed_organisme_or_404,
    managed_accounts,
    region_agent_required,
)
from accounts.two_factor import with_second_factor_state
from core.pagination import page_of
from organisations import services as organisme_services
from outbox.models import with_last_email
from region.forms import OrganismeCreationForm, SearchForm
from region.search import find_accounts, find_organismes

PAGE_SIZE = 20
# Recherche rapide counts and pages through this many results at most (10 pages):
# it is for finding an organisme or an account, and counting further costs more
# as the data grows.
SEARCH_RESULTS_LIMIT = 200


@region_agent_required
def search(request):
    """Recherche rapide over organismes and accounts."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "form": form,
        "query": query,
        "organismes": page_of(
            request,
            find_organismes(request.user, query),
            param="page_organismes",
            per_page=PAGE_SIZE,
            count_limit=SEARCH_RESULTS_LIMIT,
        ),
    }
    if query:
        context["accounts"] = page_of(
            request,
            find_accounts(request.user, query),
            param="page_comptes",
            per_page=PAGE_SIZE,
            count_limit=SEARCH_RESULTS_LIMIT,
        )
    return render(request, "region/search.html", context)


@region_agent_required
def organisme_detail(request, pk):
    organisme = get_managed_organisme_or_404(request.user, pk)
    accounts = list(
        with_open_session_count(
            with_second_factor_state(with_last_email(managed_accounts(request.user).filter(organisme=organisme)))
        ).order_by("last_name", "first_name", "pk")
    )
    return render(
        request,
        "region/organisme_detail.html",
        {
            "organisme": organisme,
            "primary": next((account for account in accounts if account.is_primary), None),
            "secondaries": [account for account in accounts if account.is_secondary],
        },
    )


@region_agent_required
def organisme_create(request):
    form = OrganismeCreationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organisme, primary = organisme_services.create_organisme_with_primary_account(
                acting_account=request.user, **form.cleaned_data
            )
        except organisme_services.SiretAlreadyUsed:
            form.add_error("siret", "Un organisme de formation avec ce SIRET existe déjà.")
            return render(request, "region/organisme_form.html", {"form": form})
        created = "L’organisme de formation %(organisme)s a bien été créé." % {"organisme": organisme}
        mail_sent = "Un courriel de récupération de mot de passe a été envoyé à l’adresse du compte."
        messages.success(request, f"{created} {success_message(primary, 'créé')} {mail_sent}")
        return redirect("region:organisme_detail", organisme.pk)
    return render(request, "region/organisme_form.html", {"form": form})


def _organisme_url(organisme):
    return reverse("region:organisme_detail", args=[organisme.pk])


@region_agent_required
def account_create(request, organisme_pk):
    organisme = get_managed_organisme_or_404(request.user, organisme_pk)
    return create_account_page(request, organisme=organisme, back_url=_organisme_url(organisme))


@region_agent_required
def account_update(request, pk):
    account = get_managed_account_or_404(request.user, pk)
    return update_account_page(request, account, back_url=_organisme_url(account.organisme))


@region_agent_required
def account_action(request, pk, action):
    account = get_managed_account_or_404(request.user, pk)
    return account_action_page(request, account, action, back_url=_organisme_url(account.organisme))
