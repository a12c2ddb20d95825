"""Authentication and the user's own account: login, password generation,
one-time links, forgotten identifiant, Mon compte."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.forms import model_to_dict
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import email_changes, links, reauthentication, services, sign_in, throttling, two_factor
from accounts.forms import (
    ContactDetailsForm,
    CredentialsForm,
    IdentifiantReminderForm,
    LoginForm,
    PasswordGenerationForm,
    ReauthenticationForm,
    SecondFactorCodeForm,
)
from accounts.models import AccountSession, User
from accounts.permissions import get_own_session_or_404, own_sessions
from accounts.services import LoginOutcome
from core import user_agents
from core.conflicts import conflict_context
from core.text import plural
from core.versioning import StaleEdit

LINK_SESSION_KEY = "password_link_digest"

WRONG_PASSWORD = "Mot de passe incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué."
WRONG_CODE = "Code incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué."
CODE_EXPIRED = (
    "Votre connexion n’a pas abouti à temps. Veuillez saisir à nouveau votre identifiant et votre mot de passe."
)

TOO_MANY_ATTEMPTS = "Trop de tentatives depuis votre adresse. Veuillez réessayer dans quelques minutes."

LOGIN_ERRORS = {
    LoginOutcome.INVALID: (
        "Identifiant ou mot de passe incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué."
    ),
    LoginOutcome.BLOCKED: "Votre compte est bloqué suite à plusieurs tentatives de connexion infructueuses.",
    LoginOutcome.INACTIVE: "Votre compte est désactivé.",
}


def _ways_out() -> str:
    """Who to ask, in one text for every account: the login never says which
    kind of account an identifiant is (no enumeration), so it names both."""
    return format_html(
        "Un compte secondaire s’adresse au compte principal de son organisme\u00a0; le compte principal "
        's’adresse à la Région, à <a href="mailto:{address}">{address}</a> (voir '
        '<a href="{contacts}">Contacts et assistance</a>).',
        address=settings.SIGMA_REGION_EMAIL,
        contacts=reverse("core:contacts"),
    )


def login_error(outcome: LoginOutcome) -> str:
    """What the login (and ProConnect) tells a refused account: for a blocked
    or deactivated one, with the ways out and their links."""
    forgotten = reverse("accounts:password_generation")
    if outcome is LoginOutcome.BLOCKED:
        return format_html(
            "{refusal} Pour le débloquer vous-même, générez un nouveau mot de passe depuis "
            '<a href="{forgotten}">Mot de passe oublié\u00a0?</a>, ou demandez son déblocage au gestionnaire '
            "de votre compte. {ways_out}",
            refusal=LOGIN_ERRORS[outcome],
            forgotten=forgotten,
            ways_out=_ways_out(),
        )
    if outcome is LoginOutcome.INACTIVE:
        return format_html(
            "{refusal} Pour le faire réactiver, adressez-vous au gestionnaire de votre compte. {ways_out} "
            'Une fois le compte réactivé, <a href="{forgotten}">Mot de passe oublié\u00a0?</a> vous permet '
            "d’en générer un nouveau si besoin.",
            refusal=LOGIN_ERRORS[outcome],
            forgotten=forgotten,
            ways_out=_ways_out(),
        )
    return str(LOGIN_ERRORS[outcome])


class AuthenticatedRequest(HttpRequest):
    """A request of a logged-in account (LoginRequiredMiddleware sees to it)."""

    user: User


def redirect_after_login(request):
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
        return redirect_after_login(request)
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # Counted before any account is looked up: past the limit the attempt
        # counts against none, and parallel ones cannot all slip under it.
        if not throttling.take(throttling.LOGIN_FAILURES, request):
            form = LoginForm(initial={"identifiant": form.cleaned_data["identifiant"]})
            return render(request, "accounts/login.html", {"form": form, "throttled": TOO_MANY_ATTEMPTS}, status=429)
        identifiant, password = form.cleaned_data["identifiant"], form.cleaned_data["password"]
        result = sign_in.sign_in_atomically(
            request, lambda: services.log_in(identifiant=identifiant, password=password)
        )
        outcome = result.outcome
        if outcome in (LoginOutcome.SUCCESS, LoginOutcome.CODE_REQUIRED):
            # Only failures count.
            throttling.give_back(throttling.LOGIN_FAILURES, request)
        if outcome is LoginOutcome.SUCCESS:
            return redirect_after_login(request)
        if outcome is LoginOutcome.CODE_REQUIRED:
            return _to_code_step(request)
        form.add_error(None, login_error(outcome))
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
        return redirect_after_login(request)
    if sign_in.pending_account(request) is None:
        sign_in.forget_pending(request)
        messages.info(request, CODE_EXPIRED)
        return redirect("accounts:login")
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not throttling.take(throttling.LOGIN_FAILURES, request):
            context = {"form": SecondFactorCodeForm(), "throttled": TOO_MANY_ATTEMPTS}
            return render(request, "accounts/login_code.html", context, status=429)
        pending, code = sign_in.pending_sign_in(request), form.cleaned_data["code"]
        result = sign_in.sign_in_atomically(request, lambda: services.log_in_with_code(pending, code=code))
        outcome = result.outcome
        if outcome is not LoginOutcome.INVALID:
            sign_in.forget_pending(request)
        if outcome is LoginOutcome.SUCCESS:
            throttling.give_back(throttling.LOGIN_FAILURES, request)
            return redirect_after_login(request)
        if outcome is LoginOutcome.INVALID:
            form.add_error("code", WRONG_CODE)
        else:
            messages.error(request, CODE_EXPIRED if outcome is LoginOutcome.CODE_EXPIRED else login_error(outcome))
            return redirect("accounts:login")
    return render(request, "accounts/login_code.html", {"form": form})


@login_not_required
@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, "Vous êtes déconnecté.")
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
        title="Génération de mot de passe",
        intro="Pour générer votre mot de passe, veuillez renseigner les informations suivantes :",
        sent_message=(
            "Si les informations saisies correspondent à un compte actif, un courrier de demande de "
            "réinitialisation de mot de passe a été envoyé à l’adresse de courriel du compte. Il contient un lien "
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
        title="Identifiant oublié",
        intro="Pour recevoir votre identifiant par courriel, veuillez renseigner les informations suivantes :",
        sent_message=(
            "Si les informations saisies correspondent à un compte actif, son identifiant a été envoyé à "
            "l’adresse de courriel du compte."
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
        result = services.log_in_with_link(link)
        if result is None:
            return no_referrer(render(request, "accounts/password_link_invalid.html", status=404))
        sign_in.sign_in(request, result)
        if result.outcome is LoginOutcome.CODE_REQUIRED:
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
                current_session=sign_in.current_session(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The current password given (or the one-time link just used) is a proof.
            sign_in.keep_signed_in(request, user)
            messages.success(request, "Les modifications ont bien été enregistrées")
            return redirect("accounts:credentials")
    if request.method == "POST" and (blocked := logged_out_if_blocked(request)):
        return blocked
    context = {"form": form, "temporary": temporary, "second_factor_enabled": two_factor.has_second_factor(user)}
    return render(request, "accounts/credentials.html", context)


def logged_out_if_blocked(request: AuthenticatedRequest) -> HttpResponse | None:
    """If the wrong password or code just given blocked the account, its
    session ends here, with the login page's message."""
    request.user.refresh_from_db(fields=["is_blocked"])
    if not request.user.is_blocked:
        return None
    logout(request)
    messages.error(request, login_error(LoginOutcome.BLOCKED))
    return redirect("accounts:login")


PASSWORD_PREFIX = "motdepasse"
CODE_PREFIX = "code"


@never_cache
@sensitive_post_parameters(f"{PASSWORD_PREFIX}-password", f"{CODE_PREFIX}-code")
def reauthenticate(request: AuthenticatedRequest) -> HttpResponse:
    """« Confirmez votre mot de passe »: the proof a security-sensitive change
    asks when the last one is not recent (accounts.reauthentication), by
    password or, for an account with a second factor, by a code. Wrong ones
    count toward the lockout. Then back to the page the user came from."""
    user = request.user
    return_to = reauthentication.safe_return_url(request, request.GET.get("next", ""))
    with_code = two_factor.has_authenticator_app(user)
    password_form = ReauthenticationForm(
        request.POST if request.method == "POST" and "motdepasse-password" in request.POST else None,
        prefix=PASSWORD_PREFIX,
    )
    code_form = SecondFactorCodeForm(
        request.POST if request.method == "POST" and "code-code" in request.POST else None, prefix=CODE_PREFIX
    )
    confirmed = False
    if password_form.is_bound and password_form.is_valid():
        confirmed = services.confirm_password(user, password_form.cleaned_data["password"])
        if not confirmed:
            password_form.add_error("password", WRONG_PASSWORD)
    elif with_code and code_form.is_bound and code_form.is_valid():
        confirmed = services.confirm_with_code(user, code_form.cleaned_data["code"])
        if not confirmed:
            code_form.add_error("code", WRONG_CODE)
    if confirmed:
        reauthentication.mark(request)
        return HttpResponseRedirect(return_to)
    if request.method == "POST" and (blocked := logged_out_if_blocked(request)):
        return blocked
    context = {
        "password_form": password_form,
        "code_form": code_form if with_code else None,
        "with_passkey": two_factor.has_other_factor(user),
        "temporary": user.has_temporary_password,
        "return_to": return_to,
    }
    return render(request, "accounts/reauthenticate.html", context)


@dataclass(frozen=True)
class SessionRow:
    session: AccountSession
    device: str
    current: bool


@never_cache
def session_list(request: AuthenticatedRequest) -> HttpResponse:
    """Mon compte > Mes sessions: where the account is signed in; sign out
    one session or all the others."""
    current = sign_in.current_session(request)
    rows = [
        SessionRow(
            session=session, device=user_agents.describe(session.user_agent), current=session.key_digest == current
        )
        for session in own_sessions(request.user)
    ]
    rows.sort(key=lambda row: not row.current)
    others = sum(not row.current for row in rows)
    return render(request, "accounts/sessions.html", {"rows": rows, "others": others})


@require_POST
def session_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_own_session_or_404(request.user, pk)
    if session.key_digest == sign_in.current_session(request):
        messages.info(request, "Pour fermer la session en cours, utilisez « Se déconnecter ».")
        return redirect("accounts:sessions")
    services.end_session(session, acting_account=request.user)
    messages.success(request, f"La session {user_agents.describe(session.user_agent)} a été fermée.")
    return redirect("accounts:sessions")


@require_POST
def sessions_end_others(request: AuthenticatedRequest) -> HttpResponse:
    current = sign_in.current_session(request)
    if current is None:
        # A session opened before Mes sessions existed: it cannot tell itself apart.
        messages.info(request, "Reconnectez-vous pour pouvoir fermer vos autres sessions.")
        return redirect("accounts:sessions")
    ended = services.end_other_sessions(request.user, current_session=current, acting_account=request.user)
    if ended:
        messages.success(
            request, plural(f"{ended} autre session a été fermée.", f"{ended} autres sessions ont été fermées.", ended)
        )
    else:
        messages.info(request, "Aucune autre session n’était ouverte.")
    return redirect("accounts:sessions")


EMAIL_CHANGE_SESSION_KEY = "email_change_digest"


@never_cache
def contact_details(request):
    """Mes coordonnées: civilité, nom d'usage, prénom and courriel of the account itself."""
    # The account as stored now (request.user is a lazy stand-in, read at the session's start).
    account = User.objects.get(pk=request.user.pk)
    # Back from « Confirmez votre mot de passe », the form comes back as it was sent.
    kept = reauthentication.kept_form(request) if request.method == "GET" else None
    form = ContactDetailsForm(
        request.POST if request.method == "POST" else kept,
        initial=model_to_dict(account, fields=ContactDetailsForm.Meta.fields) | {"version": account.version},
    )
    conflict = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # A new address receives the account's password links: a stolen
        # session must not be able to redirect them.
        if data["email"].casefold() != account.email.casefold() and not reauthentication.is_recent(request):
            reauthentication.keep_form(request)
            return reauthentication.confirm_first(request, return_to=request.path)
        try:
            change = email_changes.update_contact_details(
                account, acting_account=account, based_on_version=data.pop("version"), **data
            )
        except StaleEdit as stale:
            stored = model_to_dict(stale.current, fields=ContactDetailsForm.Meta.fields)
            conflict = conflict_context(form, stale.current, stored)
        else:
            message = "Vos coordonnées ont bien été enregistrées."
            if change:
                message = (
                    f"{message} Un lien de confirmation a été envoyé à {change.new_email}\u00a0: "
                    "votre nouvelle adresse remplacera l’actuelle une fois ce lien ouvert."
                )
            messages.success(request, message)
            return redirect("accounts:contact_details")
    context = {
        "form": form,
        "pending_change": email_changes.pending_change(account),
        "cancel_url": reverse("dashboard:home"),
    }
    return render(request, "accounts/contact_details.html", context | conflict)


@require_POST
def email_change_cancel(request):
    email_changes.cancel_email_change(request.user)
    messages.success(request, "Le changement d’adresse de courriel a été annulé.")
    return redirect("accounts:contact_details")


@login_not_required
@never_cache
def email_change_link(request, token):
    """As password_link: the token leaves the URL before anything is shown."""
    if throttling.hit(throttling.PASSWORD_LINK, request) > throttling.PASSWORD_LINK.limit:
        context = {"throttled": TOO_MANY_ATTEMPTS}
        return no_referrer(render(request, "accounts/password_link_throttled.html", context, status=429))
    change = email_changes.find_valid_change(token)
    if change is None:
        return no_referrer(render(request, "accounts/email_change_invalid.html", status=404))
    request.session[EMAIL_CHANGE_SESSION_KEY] = change.token_digest
    return no_referrer(redirect("accounts:email_change_confirm"))


@login_not_required
@never_cache
def email_change_confirm(request):
    """Confirm only on POST: mail scanners that open links must not use them up."""
    change = email_changes.find_valid_change_by_digest(request.session.get(EMAIL_CHANGE_SESSION_KEY, ""))
    if change is None:
        return render(request, "accounts/email_change_invalid.html", status=404)
    if request.method == "POST":
        account = email_changes.confirm_email_change(change)
        request.session.pop(EMAIL_CHANGE_SESSION_KEY, None)
        if account is None:
            return render(request, "accounts/email_change_invalid.html", status=404)
        messages.success(request, f"Votre adresse de courriel est désormais {account.email}.")
        return redirect("accounts:contact_details" if request.user.is_authenticated else "accounts:login")
    return render(request, "accounts/email_change_confirm.html", {"change": change})
