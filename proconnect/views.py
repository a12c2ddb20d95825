"""ProConnect's pages: the sign-in and its callback, linking an account,
the demande d'accès and its answers, Mon compte > ProConnect."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts import throttling, two_factor
from accounts.models import SignInMethod
from accounts.services import LoginOutcome
from accounts.sign_in import sign_in
from accounts.views import LOGIN_ERRORS, TOO_MANY_ATTEMPTS, AuthenticatedRequest, login_error
from outbox.emails import absolute_url
from proconnect import client, permissions, services
from proconnect import session as pc_session
from proconnect.forms import AccessRequestForm, PasswordProofForm
from proconnect.models import AccessRequest, ProConnectLink

SIRET_PATTERN = re.compile(r"[0-9]{14}")


def _error(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "proconnect/error.html", {"message": message}, status=status)


def _configured_or_404() -> None:
    if not client.is_configured():
        raise Http404


@login_not_required
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """The "S'identifier avec ProConnect" button."""
    _configured_or_404()
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        return client.authorization_redirect(request, absolute_url(reverse("proconnect:callback")))
    except client.ProConnectError as error:
        return _error(request, str(error), error.status)


@login_not_required
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    _configured_or_404()
    pc_session.forget_identity(request)
    try:
        identity = client.finish(request)
    except client.ProConnectError as error:
        return _error(request, str(error), error.status)
    account = services.linked_account(identity.sub)
    if account is not None:
        return _sign_in(request, account, identity)
    if not SIRET_PATTERN.fullmatch(identity.siret):
        return _error(
            request,
            (
                "ProConnect n’a pas indiqué le numéro SIRET de l’établissement pour lequel vous travaillez : "
                "SIGMA ne peut pas savoir de quel organisme de formation vous relevez. Connectez-vous avec votre "
                "identifiant et votre mot de passe SIGMA, ou demandez à votre fournisseur d’identité de renseigner "
                "votre établissement."
            ),
        )
    organisme = services.organisme_with_siret(identity.siret)
    if organisme is None:
        return render(request, "proconnect/unknown_organisme.html", {"siret": identity.siret}, status=403)
    pc_session.remember_identity(request, identity)
    if services.accounts_to_prove(organisme, identity.email).exists():
        return redirect("proconnect:link")
    return redirect("proconnect:access_request")


def _sign_in(request: HttpRequest, account, identity: client.Identity) -> HttpResponse:
    # An account that must use two factors, signed in with one: ask ProConnect
    # once for two (its `claims` parameter); what comes back decides.
    if (
        two_factor.applies_to(account)
        and not identity.two_factor
        and request.session.pop(pc_session.STEP_UP_KEY, None) != identity.sub
    ):
        request.session[pc_session.STEP_UP_KEY] = identity.sub
        callback_url = absolute_url(reverse("proconnect:callback"))
        try:
            return client.authorization_redirect(request, callback_url, two_factor=True)
        except client.ProConnectError as error:
            return _error(request, str(error), error.status)
    request.session.pop(pc_session.STEP_UP_KEY, None)
    result = account_services.log_in_identified(
        account, method=SignInMethod.PROCONNECT, second_factor_verified=identity.two_factor
    )
    outcome = result.outcome
    if outcome in LOGIN_ERRORS:
        return _error(request, login_error(outcome), 403)
    # ProConnect's check of two factors, if any, stands for the second factor.
    sign_in(request, result)
    request.session[pc_session.ID_TOKEN_KEY] = identity.id_token
    if outcome is LoginOutcome.CODE_REQUIRED:
        return redirect("accounts:login_code")
    return redirect("dashboard:home")


@login_not_required
@never_cache
def logged_out(request: HttpRequest) -> HttpResponse:
    """ProConnect's return after the sign-out sigma asked for."""
    _configured_or_404()
    if client.is_logout_return(request):
        messages.success(request, "Vous êtes également déconnecté de ProConnect.")
    return redirect("accounts:login")


def _identity_or_restart(request: HttpRequest):
    identity = pc_session.identity(request)
    if identity is None:
        messages.info(request, "Votre connexion avec ProConnect a expiré. Veuillez recommencer.")
    return identity


@login_not_required
@never_cache
@sensitive_post_parameters("password")
def link(request: HttpRequest) -> HttpResponse:
    """An account of the organisme has this e-mail address: the person proves
    it is theirs with its password (a password login, with its lockout and
    second factor), and the account is linked once logged in."""
    _configured_or_404()
    identity = _identity_or_restart(request)
    if identity is None:
        return redirect("accounts:login")
    organisme = services.organisme_with_siret(identity.siret)
    candidates = list(services.accounts_to_prove(organisme, identity.email)) if organisme else []
    if not candidates:
        return redirect("proconnect:access_request")
    initial = {"identifiant": candidates[0].identifiant} if len(candidates) == 1 else {}
    if request.method == "POST" and "send_link" in request.POST:
        return _send_links(request, candidates, identity, organisme)
    form = PasswordProofForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # Counted before the attempt, as on the login page (accounts.views.login_view).
        if not throttling.take(throttling.LOGIN_FAILURES, request):
            context = {"form": PasswordProofForm(initial=initial), "throttled": TOO_MANY_ATTEMPTS, "identity": identity}
            return render(request, "proconnect/link.html", context, status=429)
        # Read by proconnect.signals when the login completes (now or after its code).
        request.session[pc_session.PENDING_LINK_KEY] = [account.pk for account in candidates]
        result = account_services.log_in(
            identifiant=form.cleaned_data["identifiant"], password=form.cleaned_data["password"]
        )
        sign_in(request, result)
        outcome = result.outcome
        if outcome in (LoginOutcome.SUCCESS, LoginOutcome.CODE_REQUIRED):
            # Only failures count.
            throttling.give_back(throttling.LOGIN_FAILURES, request)
        if outcome is LoginOutcome.SUCCESS:
            return redirect("proconnect:account")
        if outcome is LoginOutcome.CODE_REQUIRED:
            return redirect("accounts:login_code")
        request.session.pop(pc_session.PENDING_LINK_KEY, None)
        form.add_error(None, login_error(outcome))
    context = {"form": form, "identity": identity, "organisme": organisme}
    return render(request, "proconnect/link.html", context)


def _send_links(request: HttpRequest, candidates: list, identity: client.Identity, organisme) -> HttpResponse:
    """The other proof: a one-time link to the address, opened in this browser
    (its login links the account, as the password's does)."""
    if throttling.hit(throttling.PASSWORD_GENERATION, request) > throttling.PASSWORD_GENERATION.limit:
        context = {"form": PasswordProofForm(), "throttled": TOO_MANY_ATTEMPTS, "identity": identity}
        return render(request, "proconnect/link.html", context, status=429)
    for candidate in candidates:
        account_services.send_password_link(candidate.pk)
    request.session[pc_session.PENDING_LINK_KEY] = [account.pk for account in candidates]
    context = {"identity": identity, "organisme": organisme, "link_sent": True}
    return render(request, "proconnect/link.html", context)


@login_not_required
@never_cache
def access_request(request: HttpRequest) -> HttpResponse:
    """No account of the organisme has this address: ask to join it."""
    _configured_or_404()
    identity = _identity_or_restart(request)
    if identity is None:
        return redirect("accounts:login")
    organisme = services.organisme_with_siret(identity.siret)
    if organisme is None:
        return render(request, "proconnect/unknown_organisme.html", {"siret": identity.siret}, status=403)
    initial = {"last_name": identity.usual_name, "first_name": identity.given_name, "email": identity.email}
    form = AccessRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    context = {"form": form, "organisme": organisme, "identity": identity}
    if request.method == "POST" and form.is_valid():
        try:
            services.request_access(identity=identity, organisme=organisme, **form.cleaned_data)
        except services.RequestPending:
            context["already_pending"] = True
        pc_session.forget_identity(request)
        return render(request, "proconnect/access_request_sent.html", context)
    return render(request, "proconnect/access_request.html", context)


@never_cache
def requests(request: AuthenticatedRequest) -> HttpResponse:
    """The primary account's list of demandes d'accès to its organisme."""
    if not permissions.may_answer_access_requests(request.user):
        raise PermissionDenied
    organisme = request.user.organisme
    if organisme is None:
        raise PermissionDenied
    pending = services.pending_requests(organisme)
    return render(request, "proconnect/requests.html", {"access_requests": pending})


@require_POST
def answer(request: AuthenticatedRequest, pk: int, answer: str) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest.objects.pending(), pk=pk)
    if not permissions.may_answer(request.user, access_request) or answer not in {"accepter", "refuser"}:
        raise PermissionDenied
    name = access_request.full_name
    try:
        return _answer(request, access_request, answer, name)
    except services.RequestGone:
        messages.info(request, "La demande de %(name)s a déjà reçu une réponse." % {"name": name})
    except services.AlreadyLinked:
        messages.error(request, "Cette personne a déjà un compte SIGMA lié à ProConnect.")
    return redirect("proconnect:requests")


def _answer(request: AuthenticatedRequest, access_request: AccessRequest, answer: str, name: str) -> HttpResponse:
    if answer == "accepter":
        services.accept_request(access_request, acting_account=request.user)
        messages.success(
            request, "La demande de %(name)s est acceptée : son compte secondaire est créé." % {"name": name}
        )
    else:
        services.refuse_request(access_request, acting_account=request.user)
        messages.success(request, "La demande de %(name)s est refusée ; la personne en est informée." % {"name": name})
    return redirect("proconnect:requests")


@never_cache
def account(request: AuthenticatedRequest) -> HttpResponse:
    """Mon compte > ProConnect: the link, and its removal."""
    link = ProConnectLink.objects.filter(account=request.user).first()
    if request.method == "POST":
        if services.unlink_account(request.user, acting_account=request.user):
            request.session.pop(pc_session.ID_TOKEN_KEY, None)
            messages.success(request, "Votre compte n’est plus lié à ProConnect.")
        return redirect("proconnect:account")
    return render(request, "proconnect/account.html", {"link": link})
