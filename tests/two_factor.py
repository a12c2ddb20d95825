"""Second-factor helpers shared by the tests: real TOTP codes computed from a
device's key, as an authenticator app computes them, and a logged-in session
as the login's second step leaves it."""

import base64
import re
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.services import LoginOutcome, SignInResult
from accounts.sign_in import sign_in_atomically
from audit.context import client_ip_address, current_ip_address

ENROL = "/mon-compte/double-authentification/activation/"


def device_of(account):
    return TOTPDevice.objects.get(user=account, confirmed=True)


def totp_code(key, *, steps_from_now=0):
    """The 6-digit code an app holding the hex `key` shows now, or that many
    30-second steps later. A code is accepted once only, and one step either
    side of now is allowed for clock drift: a test needing a second code in the
    same step takes the next one."""
    return f"{totp(bytes.fromhex(key), digits=6, drift=steps_from_now):06d}"


def code_of(account, *, steps_from_now=0):
    return totp_code(device_of(account).key, steps_from_now=steps_from_now)


def log_in_verified(client, account):
    """`client` signed in as `account` as the login signs a user in once it has
    checked who they are (accounts.sign_in, called as the login views call it):
    a new session, with its row in Mes sessions, the proof of a recent
    authentication, and verified by the account's second factor when it has
    one (its app, or else a passkey), as after the login's second step.

    Without the login pages' own requests, which the tests of the login use:
    here the request is the login form's POST, as the client would send it
    (its cookie, its address), and the sign-in what its view does with it."""
    request = RequestFactory(**client.defaults).post(reverse("accounts:login"))
    request.user = AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    # The browser's session goes on into the sign-in, unless an account is
    # signed in there: then, as from another browser, a session of its own.
    request.session = store(cookie.value if cookie else None)
    if SESSION_KEY in request.session:
        request.session = store()
    device = two_factor.verified_device(account)
    result = SignInResult(LoginOutcome.SUCCESS, account, second_factor_verified=device is not None, verified_by=device)
    address = current_ip_address.set(client_ip_address(request))
    try:
        sign_in_atomically(request, lambda: result)
    finally:
        current_ip_address.reset(address)
    # The cookie SessionMiddleware would set on the answer.
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME].update(
        {"path": "/", "domain": settings.SESSION_COOKIE_DOMAIN, "secure": settings.SESSION_COOKIE_SECURE or None}
    )
    return client


def wrong_code_of(account):
    """A 6-digit code the account's app shows at none of the accepted steps."""
    accepted = {code_of(account, steps_from_now=step) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def secret_shown(response):
    """The key the enrolment page offers for typing by hand, as hex."""
    match = re.search(r'<p class="secret"><code>(.*?)</code></p>', response.content.decode())
    assert match, "no secret on the page"
    return base64.b32decode(match.group(1).replace(" ", "")).hex()


def recovery_codes_shown(response):
    block = re.search(r'<ul class="recovery-codes">(.*?)</ul>', response.content.decode(), re.S)
    assert block, "no recovery codes on the page"
    return re.findall(r"<code>(.*?)</code>", block.group(1))


def enrol(client):
    """Turn the second factor on as its user does: read the key on the page,
    type the app's code. Returns the key and the recovery codes shown."""
    key = secret_shown(client.get(ENROL))
    response = client.post(ENROL, {"code": totp_code(key)})
    assert response.status_code == 200
    return key, recovery_codes_shown(response)
