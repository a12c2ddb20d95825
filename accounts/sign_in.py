"""The session side of signing in and out: the one place that writes who is
signed in into the HTTP session.

The actions (accounts.services.log_in, log_in_with_link, log_in_identified,
log_in_with_code; passkeys) decide and return a SignInResult; the views hand
it to sign_in(), which signs the account in (a new session key, the account,
the second factor's verification, the proof of a recent authentication, its
row in Mes sessions) or keeps the wait for its code.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import login as otp_login

from accounts import reauthentication, services, two_factor
from accounts.models import SignInMethod, User
from accounts.services import LoginOutcome, SignInResult
from accounts.sessions import RECORDED_KEY, key_digest
from audit.context import current_ip_address

__all__ = ["LoginOutcome", "SignInMethod", "SignInResult", "sign_in", "sign_in_atomically"]


def sign_in(request: HttpRequest, result: SignInResult) -> None:
    """Write the session `result` calls for: the account signed in
    (SUCCESS), its second-factor code awaited (CODE_REQUIRED), or nothing
    (a refusal). Called in the action's transaction (sign_in_atomically),
    a login commits once: the audit entry, the reset count, the session and
    its row in Mes sessions."""
    account = result.account
    if account is None:
        return
    if result.outcome is LoginOutcome.CODE_REQUIRED:
        pending = two_factor.PendingSignIn.start(account, result.method)
        request.session[two_factor.PENDING_KEY] = {
            "user": pending.account_id,
            "hash": pending.auth_hash,
            "at": pending.at,
            "method": pending.method.value,
        }
        return
    if result.outcome is not LoginOutcome.SUCCESS:
        return
    forget_pending(request)
    # No savepoint of its own: a failure here fails the sign-in as a whole.
    with transaction.atomic(savepoint=False):
        login(request, account, backend=settings.AUTHENTICATION_BACKENDS[0])
        if result.second_factor_verified:
            device = result.verified_by or two_factor.verified_device(account)
            if device is not None:
                otp_login(request, device)
            else:
                # Checked by the identity provider or the passkey, the
                # account having no app: this session needs no more.
                request.session.pop(two_factor.REQUIRED_KEY, None)
        reauthentication.mark(request)
        # login() gave the session its new key, or none when it flushed
        # another account's session: a key now (accounts.sessions writes it
        # below, once).
        if request.session.session_key is None:
            request.session.create()
        session_key = request.session.session_key
        assert session_key is not None  # noqa: S101
        services.open_session(
            account,
            key_digest=key_digest(session_key),
            method=result.method,
            ip_address=current_ip_address.get(),
            user_agent=request.headers.get("User-Agent", ""),
        )
        request.session[RECORDED_KEY] = True
        # Written now, inside the transaction: SessionMiddleware's own save
        # then finds nothing new to write (accounts.sessions).
        request.session.save()


def sign_in_atomically(request: HttpRequest, decide: Callable[[], SignInResult]) -> SignInResult:
    """`decide` (an action of accounts.services, passkeys…) and sign_in() with
    its result, in one transaction."""
    with transaction.atomic():
        result = decide()
        sign_in(request, result)
    return result


def pending_sign_in(request: HttpRequest) -> two_factor.PendingSignIn | None:
    """The sign-in whose second-factor code this session awaits, if any."""
    data: Any = request.session.get(two_factor.PENDING_KEY)
    if not isinstance(data, dict):
        return None
    account_id, auth_hash, at = data.get("user"), data.get("hash"), data.get("at")
    if not (isinstance(account_id, int) and isinstance(auth_hash, str) and isinstance(at, (int, float))):
        return None
    try:
        method = SignInMethod(data.get("method", SignInMethod.PASSWORD))
    except ValueError:
        return None
    return two_factor.PendingSignIn(account_id=account_id, auth_hash=auth_hash, at=at, method=method)


def pending_account(request: HttpRequest) -> User | None:
    """The account whose code this session awaits, if it still does."""
    return two_factor.pending_account(pending_sign_in(request))


def forget_pending(request: HttpRequest) -> None:
    request.session.pop(two_factor.PENDING_KEY, None)


def current_session(request: HttpRequest) -> str | None:
    """The key digest of this session's row in Mes sessions, if it has one."""
    session_key = request.session.session_key
    return key_digest(session_key) if session_key and request.session.get(RECORDED_KEY) else None


def keep_signed_in(request: HttpRequest, user: User) -> None:
    """After a change that ends the account's other sessions (its password,
    its second factor): this one stays, with a new key, and counts as a
    recent authentication."""
    update_session_auth_hash(request, user)
    reauthentication.mark(request)


def second_factor_enabled(request: HttpRequest, device: Any) -> None:
    """The session that just turned the second factor on is verified by it."""
    otp_login(request, device)
    request.session[two_factor.REQUIRED_KEY] = True
    request.session.pop(two_factor.ENROLMENT_KEY, None)


def second_factor_disabled(request: HttpRequest) -> None:
    request.session.cycle_key()
    request.session.pop(two_factor.REQUIRED_KEY, None)


@receiver(user_logged_out, dispatch_uid="accounts.sign_in.close_session")
def close_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Whatever signs a session out (the button, a time limit, a block), it
    leaves Mes sessions."""
    if request is not None and hasattr(request, "session") and (digest := current_session(request)):
        services.close_session(digest)
