"""Mon compte > Clés d’accès, and signing in or confirming with a passkey.

The browser's part is static/js/passkeys.js: it asks the *options* URLs for a
challenge, lets the browser create or use a passkey, puts its response in the
form's hidden field and sends the form. Without JavaScript the forms say so."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import reauthentication, throttling
from accounts.forms import LoginForm
from accounts.services import LoginOutcome
from accounts.views import (
    LOGIN_ERRORS,
    TOO_MANY_ATTEMPTS,
    AuthenticatedRequest,
    logged_out_if_blocked,
    redirect_after_login,
)
from passkeys import services
from passkeys.forms import AddPasskeyForm, CredentialForm, PasskeyNameForm
from passkeys.permissions import get_own_passkey_or_404, may_remove, own_passkeys
from passkeys.services import PasskeyRefused, Problem

WRONG_PASSKEY = "Cette clé d’accès n’a pas été reconnue. Au-delà de 3 tentatives infructueuses, le compte est bloqué."
PROBLEMS = {
    Problem.EXPIRED: "Le délai pour utiliser votre clé d’accès est dépassé. Veuillez recommencer.",
    Problem.MALFORMED: "La réponse reçue n’est pas celle d’une clé d’accès. Veuillez recommencer.",
    Problem.UNKNOWN: (
        "Cette clé d’accès n’est pas (ou plus) enregistrée dans SIGMA. "
        "Connectez-vous avec votre identifiant et votre mot de passe."
    ),
    Problem.INVALID: "La clé d’accès n’a pas pu être vérifiée. Veuillez recommencer.",
    Problem.ALREADY_REGISTERED: "Cette clé d’accès est déjà enregistrée.",
}
NOT_RECENT = "Confirmez d’abord votre identité : rechargez la page."


def _json(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


# Mon compte > Clés d’accès


@never_cache
def passkey_list(request: AuthenticatedRequest) -> HttpResponse:
    passkeys = own_passkeys(request.user)
    return render(request, "passkeys/list.html", {"passkeys": passkeys})


@never_cache
@sensitive_post_parameters("credential")
@reauthentication.required
def add(request: AuthenticatedRequest) -> HttpResponse:
    """Name the passkey, then the browser creates it (passkeys.js) and the form is sent."""
    form = AddPasskeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_passkey(
                request,
                name=form.cleaned_data["name"],
                credential=form.cleaned_data["credential"],
                acting_account=request.user,
            )
        except PasskeyRefused as refused:
            form.add_error(None, PROBLEMS[refused.problem])
        else:
            messages.success(request, f"La clé d’accès « {form.cleaned_data['name']} » est ajoutée à votre compte.")
            return redirect("passkeys:list")
    return render(request, "passkeys/add.html", {"form": form})


@require_POST
@never_cache
def registration_options(request: AuthenticatedRequest) -> HttpResponse:
    if not reauthentication.is_recent(request):
        return JsonResponse({"error": NOT_RECENT}, status=403)
    return _json(services.registration_options(request, request.user))


@never_cache
def rename(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    passkey = get_own_passkey_or_404(request.user, pk)
    form = PasskeyNameForm(request.POST if request.method == "POST" else None, initial={"name": passkey.name})
    if request.method == "POST" and form.is_valid():
        services.rename_passkey(passkey, name=form.cleaned_data["name"], acting_account=request.user)
        messages.success(request, f"La clé d’accès s’appelle désormais « {passkey.name} ».")
        return redirect("passkeys:list")
    return render(request, "passkeys/rename.html", {"form": form, "passkey": passkey})


@never_cache
@reauthentication.required
def remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    passkey = get_own_passkey_or_404(request.user, pk)
    allowed = may_remove(request.user, passkey)
    if request.method == "POST" and allowed:
        services.remove_passkey(passkey, acting_account=request.user)
        messages.success(request, f"La clé d’accès « {passkey.name} » est supprimée de votre compte.")
        return redirect("passkeys:list")
    return render(request, "passkeys/remove.html", {"passkey": passkey, "allowed": allowed})


# Signing in


def _login_page(request: HttpRequest, error: str, *, status: int = 200) -> HttpResponse:
    context = {"form": LoginForm(), "passkey_error": error}
    return render(request, "accounts/login.html", context, status=status)


@login_not_required
@require_POST
@never_cache
def sign_in_options(request: HttpRequest) -> HttpResponse:
    return _json(services.sign_in_options(request))


@login_not_required
@require_POST
@never_cache
@sensitive_post_parameters("credential")
def sign_in(request: HttpRequest) -> HttpResponse:
    """The login page's « Se connecter avec une clé d’accès »: no identifiant,
    no password. Counted against the client's address as a login is."""
    if request.user.is_authenticated:
        return redirect_after_login(request)
    form = CredentialForm(request.POST)
    if not form.is_valid():
        return _login_page(request, str(form.errors["credential"][0]))
    if not throttling.take(throttling.LOGIN_FAILURES, request):
        return _login_page(request, str(TOO_MANY_ATTEMPTS), status=429)
    try:
        outcome = services.sign_in(request, credential=form.cleaned_data["credential"])
    except PasskeyRefused as refused:
        return _login_page(request, PROBLEMS[refused.problem])
    if outcome is LoginOutcome.SUCCESS:
        throttling.give_back(throttling.LOGIN_FAILURES, request)
        return redirect_after_login(request)
    error = WRONG_PASSKEY if outcome is LoginOutcome.INVALID else str(LOGIN_ERRORS[outcome])
    return _login_page(request, error)


# Confirming one's identity (« Confirmez votre mot de passe »)


@require_POST
@never_cache
def confirmation_options(request: AuthenticatedRequest) -> HttpResponse:
    return _json(services.confirmation_options(request, request.user))


@require_POST
@never_cache
@sensitive_post_parameters("credential")
def confirm(request: AuthenticatedRequest) -> HttpResponse:
    """Confirm with one of one's passkeys, then back to the page the user was on."""
    return_to = reauthentication.safe_return_url(request, request.GET.get("next", ""))
    form = CredentialForm(request.POST)
    if form.is_valid():
        try:
            confirmed = services.confirm(request, request.user, credential=form.cleaned_data["credential"])
        except PasskeyRefused as refused:
            messages.error(request, PROBLEMS[refused.problem])
        else:
            if confirmed:
                reauthentication.mark(request)
                return HttpResponseRedirect(return_to)
            if blocked := logged_out_if_blocked(request):
                return blocked
            messages.error(request, WRONG_PASSKEY)
    else:
        messages.error(request, str(form.errors["credential"][0]))
    return HttpResponseRedirect(reauthentication.confirm_first(request, return_to=return_to).url)
