"""Gestion organisme: Ma fiche organisme and Comptes utilisateurs (primary account only)."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse

from accounts.management_pages import account_action_page, create_account_page, update_account_page
from accounts.permissions import get_managed_account_or_404, managed_accounts, primary_account_required

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 10


@primary_account_required
def organisme_detail(request):
    """Ma fiche organisme."""
    return render(
        request,
        "organisations/organisme_detail.html",
        {"organisme": request.user.organisme, "primary": request.user},
    )


@primary_account_required
def account_list(request):
    """Comptes utilisateurs: INFORMATIONS DES COMPTES SECONDAIRES."""
    accounts = managed_accounts(request.user).order_by("last_name", "first_name", "pk")
    # PostgreSQL refuses NUL characters in a query: drop them rather than fail.
    query = request.GET.get("q", "").replace("\x00", "").strip()
    if query:
        accounts = accounts.filter(
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(identifiant__icontains=query)
            | Q(email__icontains=query)
        )
    try:
        page_size = int(request.GET.get("par_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        page_size = DEFAULT_PAGE_SIZE
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    page = Paginator(accounts, page_size).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/account_list.html",
        {
            "organisme": request.user.organisme,
            "page": page,
            "query": query,
            "page_size": page_size,
            "page_sizes": PAGE_SIZES,
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
