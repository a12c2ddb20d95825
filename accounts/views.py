"""Authentication and the user's own account: login, password generation,
one-time links, forgotten identifiant, Mon compte."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import links, services
from accounts.forms import CredentialsForm, IdentifiantReminderForm, LoginForm, PasswordGenerationForm
from accounts.services import LoginOutcome

LINK_SESSION_KEY = "password_link_digest"

LOGIN_ERRORS = {
    LoginOutcome.INVALID: gettext_lazy(
        "Identifiant ou mot de passe incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué."
    ),
    LoginOutcome.BLOCKED: gettext_lazy(
        "Votre compte est bloqué suite à plusieurs tentatives de connexion infructueuses. "
        "Veuillez contacter le gestionnaire de votre compte (le compte principal de votre organisme) "
        "pour le débloquer, ou générer un nouveau mot de passe."
    ),
    LoginOutcome.INACTIVE: gettext_lazy(
        "Votre compte est désactivé. Veuillez contacter le gestionnaire de votre compte "
        "(le compte principal de votre organisme)."
    ),
}


def no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@sensitive_post_parameters("password")
def login_view(request):
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.log_in(
            request, identifiant=form.cleaned_data["identifiant"], password=form.cleaned_data["password"]
        )
        if outcome is LoginOutcome.SUCCESS:
            return redirect("dashboard:home")
        form.add_error(None, LOGIN_ERRORS[outcome])
    return render(request, "accounts/login.html", {"form": form})


@login_not_required
@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("Vous êtes déconnecté."))
    return redirect("accounts:login")


@login_not_required
@never_cache
def password_generation(request):
    form = PasswordGenerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_link(**form.cleaned_data)
        return render(request, "accounts/password_generation_sent.html")
    return render(request, "accounts/password_generation.html", {"form": form})


@login_not_required
@never_cache
def identifiant_reminder(request):
    form = IdentifiantReminderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.remind_identifiant(**form.cleaned_data)
        return render(request, "accounts/identifiant_reminder_sent.html")
    return render(request, "accounts/identifiant_reminder.html", {"form": form})


@login_not_required
@never_cache
def password_link(request, token):
    """Move the token out of the URL before anything is shown, so it cannot
    leak through the Referer header, browser history or a proxy's logs."""
    if links.find_valid_link(token) is None:
        return no_referrer(render(request, "accounts/password_link_invalid.html", status=404))
    request.session[LINK_SESSION_KEY] = links.digest(token)
    return no_referrer(redirect("accounts:password_link_confirm"))


@login_not_required
@never_cache
def password_link_confirm(request):
    """Log in only on POST: mail scanners that open links must not use them up."""
    link = links.find_valid_link_by_digest(request.session.get(LINK_SESSION_KEY, ""))
    if link is None:
        return no_referrer(render(request, "accounts/password_link_invalid.html", status=404))
    if request.method == "POST":
        user = services.log_in_with_link(request, link)
        if user is None:
            return no_referrer(render(request, "accounts/password_link_invalid.html", status=404))
        return no_referrer(redirect("accounts:credentials"))
    return no_referrer(render(request, "accounts/password_link_confirm.html", {"link_user": link.user}))


@never_cache
@sensitive_post_parameters("current_password", "new_password", "new_password_confirmation")
def credentials(request):
    """Mon compte > Modifications."""
    user = request.user
    temporary = user.has_temporary_password
    form = CredentialsForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_credentials(
            user,
            identifiant=form.cleaned_data["identifiant"],
            password=form.cleaned_data["new_password"],
            acting_account=user,
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Les modifications ont bien été enregistrées"))
        return redirect("accounts:credentials")
    return render(request, "accounts/credentials.html", {"form": form, "temporary": temporary})
