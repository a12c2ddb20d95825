"""Passkeys (WebAuthn, through Duo's `webauthn` package): adding one to one's
account, signing in or confirming one's identity with one, renaming and
removing them.

Every passkey is created and used with user verification required (PIN,
fingerprint, face): what it proves is something the user has and something
they know or are, so it signs in without a password and counts as the second
factor the Région or the organisme may require, beside the authenticator app.

Each ceremony's challenge lives in the session that asked for it, for one
ceremony, one use (taken out as soon as a response comes back) and
CHALLENGE_MAX_AGE_SECONDS. The relying party's id and origin come from
SIGMA_BASE_URL, never from the request: a response made for another site, or
relayed by one, fails.

What signs an account in, and the lockout its failures count toward, belong
to accounts.services: every call into it is in the « Through accounts »
section below.
"""

import base64
import enum
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts import services as account_services
from accounts import sign_in as account_sign_in
from accounts import two_factor
from accounts.account_sessions import forget_sessions
from accounts.models import User
from accounts.security_notices import SecurityEvent, notify_security_event
from accounts.services import LoginOutcome
from audit.models import AuditEntry
from audit.services import record
from passkeys.models import Passkey

CHALLENGE_KEY = "sigma_passkey_challenge"
CHALLENGE_MAX_AGE_SECONDS = 5 * 60
# What the browser is given to complete a ceremony, in milliseconds.
CEREMONY_TIMEOUT_MS = 2 * 60 * 1000
RELYING_PARTY_NAME = "SIGMA FP"
# What a malformed response may raise while the library reads it.
BAD_RESPONSE = (WebAuthnException, ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


class Ceremony(enum.StrEnum):
    REGISTRATION = "registration"
    SIGN_IN = "sign_in"
    CONFIRMATION = "confirmation"


class Problem(enum.Enum):
    """Why a passkey's response was refused before any account was at stake."""

    # No challenge of this session for it, or too old: start again.
    EXPIRED = "expired"
    # Not a response a browser makes.
    MALFORMED = "malformed"
    # No account has this passkey (removed, or never registered here).
    UNKNOWN = "unknown"
    # Well formed, but its signature, challenge, origin or relying party is wrong.
    INVALID = "invalid"
    # This authenticator already holds a passkey of the account.
    ALREADY_REGISTERED = "already_registered"


class PasskeyRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str


def relying_party() -> RelyingParty:
    """sigma as WebAuthn knows it: its host name and origin, from SIGMA_BASE_URL."""
    parts = urlsplit(settings.SIGMA_BASE_URL)
    return RelyingParty(id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}")


# Challenges


@dataclass(frozen=True)
class Challenge:
    value: bytes
    # For a registration: the user handle the options gave the authenticator.
    user_handle: bytes = b""


def _new_challenge(request: HttpRequest, ceremony: Ceremony, *, user_handle: bytes = b"") -> bytes:
    """A fresh challenge for `ceremony`, replacing any other of this session."""
    challenge = secrets.token_bytes(32)
    request.session[CHALLENGE_KEY] = {
        "ceremony": ceremony.value,
        "challenge": bytes_to_base64url(challenge),
        "user_handle": bytes_to_base64url(user_handle),
        "at": time.time(),
    }
    return challenge


def _take_challenge(request: HttpRequest, ceremony: Ceremony) -> Challenge:
    """The session's challenge for `ceremony`, used up; PasskeyRefused(EXPIRED)
    if there is none or it is too old."""
    stored = request.session.pop(CHALLENGE_KEY, None)
    if (
        not isinstance(stored, dict)
        or stored.get("ceremony") != ceremony.value
        or not isinstance(stored.get("at"), (int, float))
        or not 0 <= time.time() - stored["at"] <= CHALLENGE_MAX_AGE_SECONDS
    ):
        raise PasskeyRefused(Problem.EXPIRED)
    return Challenge(_from_base64url(stored["challenge"]), _from_base64url(stored.get("user_handle", "")))


def _from_base64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _descriptors(passkeys: Any) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=_from_base64url(passkey.credential_id),
            transports=[AuthenticatorTransport(value) for value in passkey.transports],
        )
        for passkey in passkeys
    ]


# Adding a passkey


def _user_handle(user: User) -> bytes:
    """The account's WebAuthn user handle: that of its passkeys, or a new random one."""
    existing = Passkey.objects.filter(user=user).values_list("user_handle", flat=True).first()
    return bytes(existing) if existing is not None else secrets.token_bytes(32)


def registration_options(request: HttpRequest, user: User) -> str:
    """The options (JSON) the browser needs to create a passkey for `user`,
    discoverable and verified by its user; the authenticators already
    holding one of the account's passkeys are excluded."""
    user_handle = _user_handle(user)
    options = generate_registration_options(
        rp_id=relying_party().id,
        rp_name=RELYING_PARTY_NAME,
        user_name=user.identifiant,
        user_id=user_handle,
        user_display_name=user.full_name,
        challenge=_new_challenge(request, Ceremony.REGISTRATION, user_handle=user_handle),
        timeout=CEREMONY_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(Passkey.objects.filter(user=user, confirmed=True)),
    )
    return options_to_json(options)


def _transports(credential: str) -> list[str]:
    """The transports the browser reported, those WebAuthn knows only."""
    try:
        reported = json.loads(credential)["response"]["transports"]
    except (*BAD_RESPONSE, json.JSONDecodeError):
        return []
    if not isinstance(reported, list):
        return []
    known = {transport.value for transport in AuthenticatorTransport}
    return [value for value in reported if isinstance(value, str) and value in known][:8]


@transaction.atomic
def add_passkey(request: HttpRequest, *, name: str, credential: str, acting_account: User) -> Passkey:
    """Register the passkey the browser created (`credential`, its JSON) for
    the logged-in `acting_account`, named `name`. Raises PasskeyRefused.

    If it is the account's first second factor, its other sessions end (they
    never gave it) and this one counts as verified by it, as when the
    authenticator app is turned on."""
    user = acting_account
    challenge = _take_challenge(request, Ceremony.REGISTRATION)
    party = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge.value,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            require_user_verification=True,
        )
    except BAD_RESPONSE:
        raise PasskeyRefused(Problem.INVALID) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise PasskeyRefused(Problem.ALREADY_REGISTERED)
    first_factor = not two_factor.has_second_factor(user)
    passkey: Passkey = Passkey.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        user_handle=challenge.user_handle,
        transports=_transports(credential),
    )
    record(AuditEntry.Action.PASSKEY_ADDED, account=user, acting_account=user, changes={"name": name})
    notify_security_event(user, SecurityEvent.PASSKEY_ADDED)
    if first_factor:
        user.session_generation += 1
        user.save(update_fields=["session_generation"])
        # The other sessions never gave this factor: they end (Mes sessions too).
        forget_sessions(user, keep=account_sign_in.current_session(request))
        update_session_auth_hash(request, user)
        two_factor.mark_verified(request, user, device=passkey)
        request.session[two_factor.REQUIRED_KEY] = True
    return passkey


@transaction.atomic
def rename_passkey(passkey: Passkey, *, name: str, acting_account: User) -> None:
    previous = passkey.name
    if name == previous:
        return
    Passkey.objects.filter(pk=passkey.pk).update(name=name)
    passkey.name = name
    record(
        AuditEntry.Action.PASSKEY_RENAMED,
        account=passkey.user,
        acting_account=acting_account,
        changes={"name": [previous, name]},
    )


@transaction.atomic
def remove_passkey(passkey: Passkey, *, acting_account: User) -> None:
    """The passkey stops working at once; a session it signed in ends at its next request."""
    record(
        AuditEntry.Action.PASSKEY_REMOVED,
        account=passkey.user,
        acting_account=acting_account,
        changes={"name": passkey.name},
    )
    notify_security_event(passkey.user, SecurityEvent.PASSKEY_REMOVED)
    passkey.delete()


# Signing in and confirming


def sign_in_options(request: HttpRequest) -> str:
    """Options (JSON) for the browser's passkey prompt on the login page: any
    passkey of sigma (discoverable), verified by its user."""
    options = generate_authentication_options(
        rp_id=relying_party().id,
        challenge=_new_challenge(request, Ceremony.SIGN_IN),
        timeout=CEREMONY_TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


def confirmation_options(request: HttpRequest, user: User) -> str:
    """Options (JSON) for the logged-in `user` to confirm it is them with one of their passkeys."""
    options = generate_authentication_options(
        rp_id=relying_party().id,
        challenge=_new_challenge(request, Ceremony.CONFIRMATION),
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=_descriptors(Passkey.objects.filter(user=user, confirmed=True)),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


def _passkey_answering(credential: str) -> Passkey:
    """The passkey whose response `credential` claims to be; PasskeyRefused if
    it is not a response or no account has that passkey."""
    try:
        parsed = parse_authentication_credential_json(credential)
    except BAD_RESPONSE:
        raise PasskeyRefused(Problem.MALFORMED) from None
    passkey: Passkey | None = (
        Passkey.objects.select_related("user")
        .filter(credential_id=bytes_to_base64url(parsed.raw_id), confirmed=True)
        .first()
    )
    if passkey is None:
        raise PasskeyRefused(Problem.UNKNOWN)
    return passkey


def _verifier(passkey: Passkey, credential: str, challenge: Challenge) -> Callable[[User], bool]:
    """The proof that `credential` answers `challenge` with `passkey`, for the
    account read under its lock: signature, challenge, origin, relying party,
    user verification, user handle, and a signature counter that moved on (a
    cloned authenticator's goes backwards). Once right, the counter and the
    last use are saved."""

    def proof(account: User) -> bool:
        if passkey.user_id != account.pk:
            return False
        party = relying_party()
        current = Passkey.objects.select_for_update().filter(pk=passkey.pk).first()
        if current is None:
            return False
        try:
            parsed = parse_authentication_credential_json(credential)
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=challenge.value,
                expected_rp_id=party.id,
                expected_origin=party.origin,
                credential_public_key=bytes(current.public_key),
                credential_current_sign_count=current.sign_count,
                require_user_verification=True,
            )
        except BAD_RESPONSE:
            return False
        user_handle = parsed.response.user_handle
        if user_handle is not None and not secrets.compare_digest(user_handle, bytes(current.user_handle)):
            return False
        Passkey.objects.filter(pk=current.pk).update(sign_count=verified.new_sign_count, last_used_at=timezone.now())
        return True

    return proof


# Through accounts: the only calls into its sign-in and lockout.


def sign_in(request: HttpRequest, *, credential: str) -> LoginOutcome:
    """Sign in the account whose passkey made `credential` (no identifiant,
    no password), with the rules of the login: blocked, deactivated or deleted
    accounts refused, a wrong response counted toward its lockout. Raises
    PasskeyRefused when no account is at stake."""
    challenge = _take_challenge(request, Ceremony.SIGN_IN)
    passkey = _passkey_answering(credential)
    result = account_sign_in.sign_in_atomically(
        request,
        lambda: account_services.log_in_with_device(
            passkey.user, proof=_verifier(passkey, credential, challenge), device=passkey, reason="wrong_passkey"
        ),
    )
    return result.outcome


def confirm(request: HttpRequest, user: User, *, credential: str) -> bool:
    """Whether `credential` is a right response of one of `user`'s own passkeys
    (« Confirmez votre mot de passe »). A response of another account's
    passkey, or a wrong one, counts toward `user`'s lockout."""
    challenge = _take_challenge(request, Ceremony.CONFIRMATION)
    try:
        passkey = _passkey_answering(credential)
    except PasskeyRefused as refused:
        if refused.problem is Problem.MALFORMED:
            raise
        passkey = None
    proof = _verifier(passkey, credential, challenge) if passkey is not None else (lambda account: False)
    return account_services.confirm_with_device(user, proof=proof, reason="wrong_passkey")
