"""Gestion organisme: Ma fiche organisme and Comptes utilisateurs (primary account only)."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services
from accounts.forms import AccountForm
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


def _success(account, verb):
    """The guide's message: "Le compte secondaire de Madame NOM Prénom de
    l'organisme de formation ORGANISME a bien été <verb>." """
    return _(
        "Le compte secondaire de %(civil_name)s de l'organisme de formation %(organisme)s a bien été %(verb)s."
    ) % {
        "civil_name": account.civil_name,
        "organisme": account.organisme.raison_sociale,
        "verb": verb,
    }


@primary_account_required
def account_create(request):
    organisme = request.user.organisme
    form = AccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account = services.create_secondary_account(
            organisme=organisme, acting_account=request.user, **form.cleaned_data
        )
        message = _success(account, _("créé"))
        messages.success(
            request, f"{message} {_('Un mail de récupération de mot de passe a été envoyé au mail du compte.')}"
        )
        return redirect("organisations:account_list")
    return render(
        request,
        "organisations/account_form.html",
        {"form": form, "organisme": organisme, "title": _("Créer un nouveau compte")},
    )


@primary_account_required
def account_update(request, pk):
    account = get_managed_account_or_404(request.user, pk)
    # No `instance`: the form must not write on `account` before the action
    # compares the new values with the stored ones.
    form = AccountForm(
        request.POST if request.method == "POST" else None,
        initial=model_to_dict(account, fields=AccountForm.Meta.fields),
    )
    if request.method == "POST" and form.is_valid():
        services.modify_account(account, acting_account=request.user, **form.cleaned_data)
        messages.success(request, _success(account, _("modifié")))
        return redirect("organisations:account_list")
    return render(
        request,
        "organisations/account_form.html",
        {"form": form, "organisme": request.user.organisme, "account": account, "title": _("Gestion du compte")},
    )


@dataclass(frozen=True)
class AccountAction:
    perform: callable
    question: str
    button: str
    verb: str
    extra_message: str = ""
    applies_to: callable = lambda account: True


ACCOUNT_ACTIONS = {
    "regenerer": AccountAction(
        perform=services.regenerate_password,
        question=gettext_lazy("Êtes-vous sûr de vouloir régénérer le mot de passe du compte ?"),
        button=gettext_lazy("Régénérer le mot de passe"),
        verb=gettext_lazy("régénéré"),
        extra_message=gettext_lazy(
            "Un mail de notification de régénération de mot de passe a été envoyé au mail du compte."
        ),
    ),
    "supprimer": AccountAction(
        perform=services.delete_account,
        question=gettext_lazy("Êtes-vous sûr de vouloir supprimer définitivement le compte ?"),
        button=gettext_lazy("Supprimer le compte"),
        verb=gettext_lazy("supprimé"),
    ),
    "debloquer": AccountAction(
        perform=services.unblock_account,
        question=gettext_lazy("Êtes-vous sûr de vouloir débloquer le compte ?"),
        button=gettext_lazy("Débloquer le compte"),
        verb=gettext_lazy("débloqué"),
        applies_to=lambda account: account.is_blocked,
    ),
    "desactiver": AccountAction(
        perform=services.deactivate_account,
        question=gettext_lazy("Êtes-vous sûr de vouloir désactiver le compte ?"),
        button=gettext_lazy("Désactiver le compte"),
        verb=gettext_lazy("désactivé"),
        applies_to=lambda account: account.is_active,
    ),
    "activer": AccountAction(
        perform=services.activate_account,
        question=gettext_lazy("Êtes-vous sûr de vouloir activer le compte ?"),
        button=gettext_lazy("Activer le compte"),
        verb=gettext_lazy("activé"),
        applies_to=lambda account: not account.is_active,
    ),
}


@primary_account_required
def account_action(request, pk, action):
    """Confirmation page (GET) and the action itself (POST), without JavaScript."""
    account_action = ACCOUNT_ACTIONS.get(action)
    if account_action is None:
        raise Http404
    account = get_managed_account_or_404(request.user, pk)
    if not account_action.applies_to(account):
        messages.info(request, _("Cette action ne s'applique pas à ce compte dans son état actuel."))
        return redirect("organisations:account_list")
    if request.method == "POST":
        account_action.perform(account, acting_account=request.user)
        message = _success(account, account_action.verb)
        if account_action.extra_message:
            message = f"{message} {account_action.extra_message}"
        messages.success(request, message)
        return redirect("organisations:account_list")
    return render(
        request,
        "organisations/account_confirm.html",
        {"account": account, "action": account_action, "organisme": request.user.organisme},
    )
