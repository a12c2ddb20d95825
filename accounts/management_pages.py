"""The account management screens shared by Gestion organisme (a primary
account on its secondary accounts) and the Espace Région (an agent on any
organisme account). Callers check permission and fetch the account through
accounts.permissions, then hand over with the page to return to."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.forms import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import Promise

from accounts import reauthentication, services, two_factor
from accounts.forms import AccountForm, AccountModificationForm, DeactivationForm
from accounts.permissions import may_be_deleted
from core.conflicts import conflict_context
from core.versioning import StaleEdit


def success_message(account, verb):
    """The guide's message: "Le compte secondaire de Madame NOM Prénom de
    l'organisme de formation ORGANISME a bien été <verb>." """
    values = {"civil_name": account.civil_name, "organisme": account.organisme.raison_sociale, "verb": verb}
    if account.is_primary:
        return (
            "Le compte principal de %(civil_name)s de l’organisme de formation %(organisme)s a bien été %(verb)s."
            % values
        )
    return (
        "Le compte secondaire de %(civil_name)s de l’organisme de formation %(organisme)s a bien été %(verb)s." % values
    )


def create_account_page(request, *, organisme, back_url, breadcrumb=None):
    form = AccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account = services.create_secondary_account(
            organisme=organisme, acting_account=request.user, **form.cleaned_data
        )
        message = success_message(account, "créé")
        messages.success(
            request, f"{message} Un courriel de récupération de mot de passe a été envoyé à l’adresse du compte."
        )
        return redirect(back_url)
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "organisme": organisme, "title": "Créer un nouveau compte", "back_url": back_url},
    )


def update_account_page(request, account, *, back_url):
    # No `instance`: the form must not write on `account` before the action
    # compares the new values with the stored ones.
    # Back from « Confirmez votre mot de passe », the form comes back as it was sent.
    kept = reauthentication.kept_form(request) if request.method == "GET" else None
    form = AccountModificationForm(
        request.POST if request.method == "POST" else kept,
        initial=model_to_dict(account, fields=AccountForm.Meta.fields) | {"version": account.version},
    )
    conflict = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # A new address receives the account's password links: a stolen
        # session must not be able to redirect them.
        if data["email"] != account.email and not reauthentication.is_recent(request):
            reauthentication.keep_form(request)
            return reauthentication.confirm_first(request, return_to=request.get_full_path())
        try:
            services.modify_account(account, acting_account=request.user, based_on_version=data.pop("version"), **data)
        except StaleEdit as stale:
            stored = model_to_dict(stale.current, fields=AccountForm.Meta.fields)
            conflict = conflict_context(form, stale.current, stored)
        else:
            messages.success(request, success_message(account, "modifié"))
            return redirect(back_url)
    return render(
        request,
        "accounts/account_form.html",
        {
            "form": form,
            "organisme": account.organisme,
            "account": account,
            "title": "Gestion du compte",
            "back_url": back_url,
        }
        | conflict,
    )


@dataclass(frozen=True)
class AccountAction:
    perform: Callable
    # Lazy translations: read in the language of each request.
    question: str | Promise
    button: str | Promise
    verb: str | Promise = ""
    extra_message: str | Promise = ""
    # The success message, when the guide's "Le compte … a bien été <verb>." does not fit.
    message: Callable | None = None
    applies_to: Callable = lambda account: True
    # Why it is not offered, when the general sentence would not say it.
    not_applicable: str = ""
    # A form whose cleaned data goes to `perform` as keyword arguments.
    form_class: type | None = None
    # Whether it needs a recent authentication (accounts.reauthentication):
    # what a stolen session would do to take an account over or erase it.
    sensitive: bool = False


ACCOUNT_ACTIONS = {
    "regenerer": AccountAction(
        perform=services.regenerate_password,
        question="Êtes-vous sûr de vouloir régénérer le mot de passe du compte ?",
        button="Régénérer le mot de passe",
        verb="régénéré",
        extra_message="Un courriel de notification de régénération de mot de passe a été envoyé à l’adresse du compte.",
        applies_to=lambda account: account.password_may_be_regenerated,
        not_applicable=(
            "Ce compte est désactivé\u00a0: son utilisateur ne pourrait pas générer de mot de passe. Activez "
            "d’abord le compte, puis régénérez son mot de passe."
        ),
    ),
    "supprimer": AccountAction(
        perform=services.delete_account,
        question="Êtes-vous sûr de vouloir supprimer définitivement le compte ?",
        button="Supprimer le compte",
        verb="supprimé",
        applies_to=may_be_deleted,
        sensitive=True,
    ),
    "debloquer": AccountAction(
        perform=services.unblock_account,
        question="Êtes-vous sûr de vouloir débloquer le compte ?",
        button="Débloquer le compte",
        verb="débloqué",
        applies_to=lambda account: account.is_blocked,
        sensitive=True,
    ),
    # Same rules as unblocking: the primary account for its secondary accounts,
    # the Region for any organisme account.
    "reinitialiser-double-authentification": AccountAction(
        perform=two_factor.reset_second_factor,
        question=(
            "Êtes-vous sûr de vouloir réinitialiser la double authentification du compte ? Son application "
            "d’authentification et ses codes de secours ne fonctionneront plus et ses sessions ouvertes seront fermées."
        ),
        button="Réinitialiser la double authentification",
        message=lambda account: (
            (
                "La double authentification de %(civil_name)s a bien été réinitialisée. À sa prochaine connexion, "
                "son mot de passe suffira, ou il lui sera demandé de la configurer de nouveau si elle est obligatoire."
            )
            % {"civil_name": account.civil_name}
        ),
        applies_to=two_factor.has_second_factor,
        sensitive=True,
    ),
    # The primary account for its secondary accounts, the Région for any
    # organisme account: how many sessions, never their details.
    "fermer-sessions": AccountAction(
        perform=services.end_all_sessions,
        question="Êtes-vous sûr de vouloir fermer toutes les sessions ouvertes du compte ? "
        "Il devra se reconnecter ; un courriel l’en informe.",
        button="Fermer les sessions",
        message=lambda account: f"Les sessions de {account.civil_name} ont bien été fermées.",
        applies_to=services.has_open_sessions,
    ),
    "desactiver": AccountAction(
        perform=services.deactivate_account,
        question="Êtes-vous sûr de vouloir désactiver le compte ?",
        button="Désactiver le compte",
        verb="désactivé",
        applies_to=lambda account: account.is_active,
        form_class=DeactivationForm,
    ),
    "activer": AccountAction(
        perform=services.activate_account,
        question="Êtes-vous sûr de vouloir activer le compte ?",
        button="Activer le compte",
        verb="activé",
        applies_to=lambda account: not account.is_active,
    ),
}


def account_action_page(request, account, action_name, *, back_url):
    """Confirmation page (GET) and the action itself (POST), without JavaScript."""
    action = ACCOUNT_ACTIONS.get(action_name)
    if action is None:
        raise Http404
    if not action.applies_to(account):
        messages.info(
            request, action.not_applicable or "Cette action ne s’applique pas à ce compte dans son état actuel."
        )
        return redirect(back_url)
    if action.sensitive and not reauthentication.is_recent(request):
        # Back to this confirmation page afterwards.
        return reauthentication.confirm_first(request, return_to=request.path)
    form = None
    if action.form_class:
        form = action.form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (form is None or form.is_valid()):
        options = form.cleaned_data if form else {}
        action.perform(account, acting_account=request.user, **options)
        message = action.message(account) if action.message else success_message(account, action.verb)
        if options.get("until"):
            reactivation = "Il sera réactivé automatiquement le %(date)s." % {"date": f"{options['until']:%d/%m/%Y}"}
            message = f"{message} {reactivation}"
        if action.extra_message:
            message = f"{message} {action.extra_message}"
        messages.success(request, message)
        return redirect(back_url)
    return render(
        request,
        "accounts/account_confirm.html",
        {"account": account, "action": action, "form": form, "organisme": account.organisme, "back_url": back_url},
    )
