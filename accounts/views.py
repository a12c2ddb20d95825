"""Authentication and the user's own account: login, password generation,
one-time links, forgotten identifiant, Mon compte."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import links, services, throttling, two_factor
from accounts.forms import (
    CredentialsForm,
    IdentifiantReminderForm,
    LoginForm,
    PasswordGenerationForm,
    SecondFactorCodeForm,
)
from accounts.services import LoginOutcome

LINK_SESSION_KEY = "password_link_digest"

WRONG_CODE = gettext_lazy("Code incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué.")
CODE_EXPIRED = gettext_lazy(
    "Votre connexion n'a pas abouti à temps. Veuillez saisir à nouveau votre identifiant et votre mot de passe."
)

TOO_MANY_ATTEMPTS = gettext_lazy("Trop de tentatives depuis votre adresse. Veuillez réessayer dans quelques minutes.")

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


def _redirect_after_login(request):
    """To the page that sent the user to log in (?next=), if it is one of ours."""
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        # Not redirect(): it would try next_url as a view name first.
        return HttpResponseRedirect(next_url)
    return redirect("dashboard:home")


def no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@sensitive_post_parameters("password")
def login_view(request):
    if request.user.is_authenticated:
        return _redirect_after_login(request)
    if request.method == "POST" and throttling.is_limited(throttling.LOGIN_FAILURES, request):
        # Checked before any account is looked up: the attempt counts against none.
        form = LoginForm(initial={"identifiant": request.POST.get("identifiant", "")})
        return render(request, "accounts/login.html", {"form": form, "throttled": TOO_MANY_ATTEMPTS}, status=429)
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = services.log_in(
            request, identifiant=form.cleaned_data["identifiant"], password=form.cleaned_data["password"]
        )
        if outcome is LoginOutcome.SUCCESS:
            return _redirect_after_login(request)
        if outcome is LoginOutcome.CODE_REQUIRED:
            return _to_code_step(request)
        throttling.hit(throttling.LOGIN_FAILURES, request)
        form.add_error(None, LOGIN_ERRORS[outcome])
    return render(request, "accounts/login.html", {"form": form})


def _to_code_step(request):
    """To the login's second step, keeping ?next= for after it."""
    url = reverse("accounts:login_code")
    return HttpResponseRedirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_not_required
@never_cache
@sensitive_post_parameters("code")
def login_code(request):
    """The login's second step, for accounts with a second factor: a code of
    their app or one of their recovery codes."""
    if request.user.is_authenticated:
        return _redirect_after_login(request)
    if two_factor.pending_user(request) is None:
        two_factor.forget_pending(request)
        messages.info(request, CODE_EXPIRED)
        return redirect("accounts:login")
    if request.method == "POST" and throttling.is_limited(throttling.LOGIN_FAILURES, request):
        context = {"form": SecondFactorCodeForm(), "throttled": TOO_MANY_ATTEMPTS}
        return render(request, "accounts/login_code.html", context, status=429)
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = services.log_in_with_code(request, code=form.cleaned_data["code"])
        if outcome is LoginOutcome.SUCCESS:
            return _redirect_after_login(request)
        throttling.hit(throttling.LOGIN_FAILURES, request)
        if outcome is LoginOutcome.INVALID:
            form.add_error("code", WRONG_CODE)
        else:
            messages.error(request, CODE_EXPIRED if outcome is LoginOutcome.CODE_EXPIRED else LOGIN_ERRORS[outcome])
            return redirect("accounts:login")
    return render(request, "accounts/login_code.html", {"form": form})


@login_not_required
@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("Vous êtes déconnecté."))
    return redirect("accounts:login")


def _request_by_email(request, *, form_class, action, title, intro, sent_message, throttle):
    """A public page asking who you are to send you something by e-mail. It
    answers the same whether or not the details match an account.

    Each submission counts against the client's address (`throttle`), counted
    before anything else so that parallel ones cannot slip through; past the
    limit the page comes back with a message and nothing is looked up."""
    if request.method == "POST" and throttling.hit(throttle, request) > throttle.limit:
        context = {"form": form_class(), "title": title, "intro": intro, "throttled": TOO_MANY_ATTEMPTS}
        return render(request, "accounts/request_by_email.html", context, status=429)
    form = form_class(request.POST if request.method == "POST" else None)
    context = {"form": form, "title": title, "intro": intro}
    if request.method == "POST" and form.is_valid():
        action(**form.cleaned_data)
        return render(request, "accounts/request_by_email_sent.html", context | {"sent_message": sent_message})
    return render(request, "accounts/request_by_email.html", context)


@login_not_required
@never_cache
def password_generation(request):
    return _request_by_email(
        request,
        form_class=PasswordGenerationForm,
        action=services.request_password_link,
        throttle=throttling.PASSWORD_GENERATION,
        title=_("Génération de mot de passe"),
        intro=_("Pour générer votre mot de passe, veuillez renseigner les informations suivantes :"),
        sent_message=_(
            "Si les informations saisies correspondent à un compte actif, un courrier de demande de "
            "réinitialisation de mot de passe a été envoyé à l'adresse mail du compte. Il contient un lien "
            "valable une heure et utilisable une seule fois."
        ),
    )


@login_not_required
@never_cache
def identifiant_reminder(request):
    return _request_by_email(
        request,
        form_class=IdentifiantReminderForm,
        action=services.remind_identifiant,
        throttle=throttling.IDENTIFIANT_REMINDER,
        title=_("Identifiant oublié"),
        intro=_("Pour recevoir votre identifiant par courriel, veuillez renseigner les informations suivantes :"),
        sent_message=_(
            "Si les informations saisies correspondent à un compte actif, son identifiant a été envoyé à "
            "l'adresse mail du compte."
        ),
    )


@login_not_required
@never_cache
def password_link(request, token):
    """Move the token out of the URL before anything is shown, so it cannot
    leak through the Referer header, browser history or a proxy's logs.

    Every token presented counts against the client's address, so that tokens
    cannot be tried by the thousand."""
    if throttling.hit(throttling.PASSWORD_LINK, request) > throttling.PASSWORD_LINK.limit:
        context = {"throttled": TOO_MANY_ATTEMPTS}
        return no_referrer(render(request, "accounts/password_link_throttled.html", context, status=429))
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
        if not request.user.is_authenticated:
            # Its account has a second factor: the code comes first.
            return redirect("accounts:login_code")
        return redirect("accounts:credentials")
    # Not no-referrer here: browsers would then send "Origin: null" with the
    # Continuer form, which the CSRF check rightly refuses. This URL holds no token.
    return render(request, "accounts/password_link_confirm.html", {"link_user": link.user})


@never_cache
@sensitive_post_parameters("current_password", "new_password", "new_password_confirmation")
def credentials(request):
    """Mon compte > Modifications."""
    user = request.user
    temporary = user.has_temporary_password
    form = CredentialsForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_credentials(
                user,
                identifiant=form.cleaned_data["identifiant"],
                password=form.cleaned_data["new_password"],
                acting_account=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Les modifications ont bien été enregistrées"))
            return redirect("accounts:credentials")
    context = {"form": form, "temporary": temporary, "second_factor_enabled": two_factor.has_second_factor(user)}
    return render(request, "accounts/credentials.html", context)
