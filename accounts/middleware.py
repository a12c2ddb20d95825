import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts import services, sign_in, two_factor

# Session keys: when the user logged in, and when they were last seen
# (seconds since the epoch).
LOGIN_AT_KEY = "sigma_login_at"
LAST_ACTIVITY_KEY = "sigma_last_activity_at"
# Last activity is written at most this often, not on every request (in the
# session and in its row of Mes sessions).
ACTIVITY_WRITE_INTERVAL_SECONDS = 60
SESSION_ENDED_ELSEWHERE = (
    "Votre session a été fermée depuis « Mes sessions » ou par le gestionnaire de votre compte. "
    "Veuillez vous reconnecter."
)

# Pages a user with a temporary password may still see.
ALLOWED_WITH_TEMPORARY_PASSWORD = {
    "accounts:credentials",
    "accounts:logout",
    "core:contacts",
    # The accessibility statement must be reachable from every page (RGAA).
    "core:accessibility",
}


class TemporaryPasswordMiddleware:
    """Until a user logged in by a one-time link chooses an identifiant and a
    password, every page sends them back to Mon compte > Modifications."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.has_temporary_password:
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None
            if view_name not in ALLOWED_WITH_TEMPORARY_PASSWORD:
                return redirect("accounts:credentials")
        return self.get_response(request)


# Pages an account that must turn on its second factor may still see; Mon
# compte > Modifications too while its password is temporary (chosen first).
ALLOWED_BEFORE_ENROLMENT = {
    "accounts:two_factor_enrol",
    # A passkey may be the second factor instead of the app.
    "passkeys:list",
    "passkeys:add",
    "passkeys:registration_options",
    # Which the enrolment asks first when the login is over ten minutes old.
    "accounts:reauthenticate",
    "accounts:logout",
    "core:contacts",
    "core:accessibility",
}


def _view_name(request):
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


@receiver(user_logged_in, dispatch_uid="accounts.second_factor.require")
def require_second_factor(sender, request, user, **kwargs):
    """Mark a session whose account has, or must have, a second factor: it
    must be verified by it (accounts.services.log_in_with_code, or enrolment)."""
    if request is not None and hasattr(request, "session") and two_factor.applies_to(user):
        request.session[two_factor.REQUIRED_KEY] = True


class SecondFactorMiddleware:
    """Until a session that needs a second factor is verified by it, every
    page sends its user to the enrolment page (Region agents, organismes that
    require it). A session of an account that has a second factor but was
    never verified by it is not trusted at all: it is logged out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and request.session.get(two_factor.REQUIRED_KEY) and not user.is_verified():
            if two_factor.has_second_factor(user):
                logout(request)
                return redirect(settings.LOGIN_URL)
            allowed = ALLOWED_BEFORE_ENROLMENT | ({"accounts:credentials"} if user.has_temporary_password else set())
            if _view_name(request) not in allowed:
                return redirect("accounts:two_factor_enrol")
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="accounts.session_lifetime.start")
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        moment = time.time()
        request.session[LOGIN_AT_KEY] = moment
        request.session[LAST_ACTIVITY_KEY] = moment


class SessionLifetimeMiddleware:
    """Log out a session idle for SESSION_IDLE_TIMEOUT_SECONDS, or older than
    SESSION_ABSOLUTE_LIFETIME_SECONDS whatever its activity, and send the user
    to the login page saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and getattr(request.session, "ended_elsewhere", False):
            # Its row in Mes sessions is gone: signed out from another
            # session, by the account's manager or by the Région.
            messages.warning(request, SESSION_ENDED_ELSEWHERE)
            if request.method == "GET":
                return redirect_to_login(request.get_full_path())
            return redirect(settings.LOGIN_URL)
        if request.user.is_authenticated:
            expired = self._expiry_message(request)
            if expired:
                logout(request)
                messages.warning(request, expired)
                # Back to the page afterwards, unless it was a form's submission.
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    @staticmethod
    def _expiry_message(request):
        session = request.session
        moment = time.time()
        login_at = session.get(LOGIN_AT_KEY)
        last_activity = session.get(LAST_ACTIVITY_KEY)
        if login_at is None or last_activity is None:
            # A session opened before these limits existed: its clock starts now.
            session[LOGIN_AT_KEY] = login_at or moment
            session[LAST_ACTIVITY_KEY] = moment
            return None
        if moment - login_at >= settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
            return "Votre session a atteint sa durée maximale. Veuillez vous reconnecter."
        if moment - last_activity >= settings.SESSION_IDLE_TIMEOUT_SECONDS:
            return "Votre session a expiré après une période d’inactivité. Veuillez vous reconnecter."
        if moment - last_activity >= ACTIVITY_WRITE_INTERVAL_SECONDS:
            session[LAST_ACTIVITY_KEY] = moment
            if digest := sign_in.current_session(request):
                services.touch_session(digest)
        return None
