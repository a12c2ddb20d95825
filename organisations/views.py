"""Gestion organisme: Ma fiche organisme and Comptes utilisateurs (primary account only)."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts import bulk_creation, handover, reauthentication
from accounts.account_sessions import with_open_session_count
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
from core.csv_files import csv_response
from core.text import plural
from organisations import services as organisme_services
from organisations.forms import AccountFilterForm, AccountsFileForm, chosen_sort, sorted_accounts
from outbox.models import with_last_email

PAGE_SIZES = (10, 25, 50, 100)
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


@dataclass(frozen=True)
class SortableColumn:
    """A column header that sorts the list: its `tri` value, and how the list is sorted by it now."""

    name: str
    label: str
    aria_sort: str | None
    next_sort: str


def _sortable_columns(column: str, descending: bool) -> dict[str, SortableColumn]:
    labels = {
        "gestionnaire": "Gestionnaire du compte",
        "identifiant": "Identifiant",
        "derniere_connexion": "Dernière connexion",
    }
    columns = {}
    for name, label in labels.items():
        current = name == column
        aria_sort = ("descending" if descending else "ascending") if current else None
        columns[name] = SortableColumn(name, label, aria_sort, f"-{name}" if current and not descending else name)
    return columns


def _filtered_accounts(request: HttpRequest) -> tuple[AccountFilterForm, QuerySet[User]]:
    """The organisme's accounts as the list's search and filters choose them: one rule for the list and its export."""
    form = AccountFilterForm(request.GET, auto_id="%s")
    return form, form.filter(managed_accounts(request.user))


@primary_account_required
def account_list(request):
    """Comptes utilisateurs: INFORMATIONS DES COMPTES SECONDAIRES."""
    filter_form, accounts = _filtered_accounts(request)
    sort_column, descending = chosen_sort(request.GET.get("tri"))
    accounts = sorted_accounts(accounts, sort_column, descending=descending)
    try:
        page_size = int(request.GET.get("par_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        page_size = DEFAULT_PAGE_SIZE
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    page = Paginator(accounts, page_size).get_page(request.GET.get("page"))
    # The last e-mail, second factor and sessions of the page's accounts and of
    # the compte principal (its block above the list), in one query: asked of
    # the whole list, the database would work them out for every account it
    # sorts. The page's keys are read first: an OR with their subquery made
    # PostgreSQL scan every account of every organisme (make bench, 10,000).
    shown_pks = [*page.object_list.values_list("pk", flat=True), request.user.pk]  # type: ignore[attr-defined]
    shown = User.objects.filter(pk__in=shown_pks)
    rows = list(
        sorted_accounts(
            with_open_session_count(with_second_factor_state(with_last_email(shown))),
            sort_column,
            descending=descending,
        )
    )
    primary = next(row for row in rows if row.pk == request.user.pk)
    page.object_list = [row for row in rows if row is not primary]
    return render(
        request,
        "organisations/account_list.html",
        {
            "organisme": request.user.organisme,
            "page": page,
            "search_form": filter_form,
            "is_filtered": filter_form.is_filtered,
            "sort_columns": _sortable_columns(sort_column, descending),
            "page_size": page_size,
            "page_sizes": PAGE_SIZES,
            "handover_proposal": get_pending_proposal_for(request.user),
            # INFORMATIONS DU COMPTE PRINCIPAL, above the secondary accounts (the guide's first screenshot).
            "primary": primary,
        },
    )


EXPORT_HEADER = (
    "Civilité",
    "Nom d’usage",
    "Prénom",
    "Identifiant",
    "Courriel",
    "Statut du compte",
    "Blocage du compte",
    "Double authentification",
    "Dernière connexion",
    "Créé le",
)


def _export_rows(accounts: QuerySet[User]) -> Iterator[list[str]]:
    for account in accounts.iterator(chunk_size=2000):
        last_login = (
            timezone.localtime(account.last_login).strftime("%d/%m/%Y %H:%M") if account.last_login else "Jamais"
        )
        yield [
            account.get_civilite_display(),
            account.last_name,
            account.first_name,
            account.identifiant,
            account.email,
            str(account.status_label),
            "Bloqué" if account.is_blocked else "Débloqué",
            "Activée" if account.second_factor_enabled else "Non activée",  # type: ignore[attr-defined]
            last_login,
            timezone.localtime(account.created_at).strftime("%d/%m/%Y"),
        ]


@require_safe
@primary_account_required
def account_export(request):
    """Exporter (CSV): the organisme's accounts as the list shows them, searched, filtered and sorted."""
    filter_form, accounts = _filtered_accounts(request)
    if not filter_form.is_valid():
        return redirect(f"{reverse('organisations:account_list')}?{request.GET.urlencode()}")
    sort_column, descending = chosen_sort(request.GET.get("tri"))
    accounts = sorted_accounts(with_second_factor_state(accounts), sort_column, descending=descending)
    filename = f"comptes-{request.user.organisme.siret}-{timezone.localdate():%Y%m%d}.csv"
    return csv_response(EXPORT_HEADER, _export_rows(accounts), filename=filename)


@primary_account_required
def account_create(request):
    return create_account_page(
        request, organisme=request.user.organisme, back_url=reverse("organisations:account_list")
    )


# Between the preview and the confirmation, the file's lines wait in the session.
ACCOUNTS_FILE_SESSION_KEY = "accounts_file"


def _accounts_file_page(request, form, plan=None):
    return render(
        request,
        "organisations/account_import.html",
        {
            "organisme": request.user.organisme,
            "form": form,
            "plan": plan,
            "max_accounts": bulk_creation.MAX_ACCOUNTS,
        },
    )


@primary_account_required
def account_import(request):
    """Créer des comptes par fichier: the upload (GET, POST), then its report or its preview."""
    form = AccountsFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        plan = bulk_creation.plan_accounts(form.rows, organisme=request.user.organisme)
        if plan.succeeded and plan.to_create:
            request.session[ACCOUNTS_FILE_SESSION_KEY] = {
                "organisme": request.user.organisme_id,
                "rows": [[line, cells] for line, cells in form.rows],
            }
        return _accounts_file_page(request, form, plan)
    return _accounts_file_page(request, form)


@require_POST
@primary_account_required
def account_import_confirm(request):
    """Créer les comptes of the file previewed: all of them, or none and the report."""
    stored = request.session.get(ACCOUNTS_FILE_SESSION_KEY)
    if not stored or stored.get("organisme") != request.user.organisme_id:
        messages.error(request, "Aucun fichier en attente de confirmation : choisissez de nouveau le fichier.")
        return redirect("organisations:account_import")
    rows = [(line, cells) for line, cells in stored["rows"]]
    try:
        plan = bulk_creation.create_accounts_from_file(
            rows, organisme=request.user.organisme, acting_account=request.user
        )
    except bulk_creation.BulkCreationRefused as refusal:
        del request.session[ACCOUNTS_FILE_SESSION_KEY]
        return _accounts_file_page(request, AccountsFileForm(), bulk_creation.AccountsPlan(errors=refusal.errors))
    del request.session[ACCOUNTS_FILE_SESSION_KEY]
    created = len(plan.to_create)
    if not created:
        messages.info(request, "Les comptes de ce fichier existent déjà\u00a0: aucun compte n’a été créé.")
        return redirect("organisations:account_list")
    message = (
        f"{created} {plural('compte secondaire créé', 'comptes secondaires créés', created)} pour l’organisme "
        f"{request.user.organisme.raison_sociale} : "
        f"{plural('son identifiant lui a été envoyé', 'chacun a reçu son identifiant', created)} par courriel."
    )
    messages.success(request, message)
    return redirect("organisations:account_list")


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
