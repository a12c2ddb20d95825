"""Two-factor authentication: a TOTP authenticator app and recovery codes,
through django-otp (plugins otp_totp and otp_static).

Required for Region agents and for every account of an organisme whose
primary account requires it; optional for the others. As in
accounts.services, each action runs in one transaction and writes its audit
entry. The login's second step itself is in accounts.services (log_in_with_code),
next to the lockout its wrong codes count toward.

Recovery codes are never stored in clear (django-otp's static plugin keeps its
tokens as typed): each StaticToken holds a keyed digest of its code
(HMAC-SHA256 with SECRET_KEY, 96 bits), so a copy of the database alone does not
let anyone in. Rotating SECRET_KEY therefore voids them; users regenerate them.
"""

import base64
import functools
import operator
import secrets
import time
from binascii import unhexlify
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.account_sessions import forget_sessions
from accounts.models import SignInMethod, User
from accounts.security_notices import SecurityEvent, notify_security_event
from audit.models import AuditEntry
from audit.services import record

RECOVERY_CODE_COUNT = 10
# Lowercase letters and digits without the look-alikes (i, l, o, 0, 1): 12 of
# them, about 59 bits, shown as three groups of four.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 12
TOTP_DIGITS = 6

# Session keys. REQUIRED_KEY: this session must be verified by the account's
# second factor (accounts.middleware.SecondFactorMiddleware). PENDING_KEY: the
# account whose password was right and whose code is awaited.
REQUIRED_KEY = "sigma_second_factor_required"
PENDING_KEY = "sigma_second_factor_pending"
# The secret shown on the enrolment page, kept until a first code confirms it.
ENROLMENT_KEY = "sigma_second_factor_enrolment"
# How long the code may be typed after the password.
PENDING_MAX_AGE_SECONDS = 5 * 60


# Second factors other apps add beside the authenticator app: django-otp
# device models with a `user`, registered from their AppConfig.ready()
# (passkeys), since accounts imports none of them.
OTHER_FACTORS: list[type[Device]] = []


def register_other_factor(model: type[Device]) -> None:
    if model not in OTHER_FACTORS:
        OTHER_FACTORS.append(model)


def _enrolled_factors(user_pk):
    """One queryset per kind of second factor: the account's confirmed ones."""
    return [model.objects.filter(user=user_pk, confirmed=True) for model in [TOTPDevice, *OTHER_FACTORS]]


def has_second_factor(user):
    """Whether `user` has turned a second factor on (the authenticator app or
    a passkey). An account read through with_second_factor_state() carries the
    answer, read with it."""
    enabled = getattr(user, "second_factor_enabled", None)
    if enabled is None:
        enabled = any(factors.exists() for factors in _enrolled_factors(user.pk))
    return enabled


def has_other_factor(user: User) -> bool:
    """Whether `user` has a second factor other than the app (a passkey)."""
    return any(model.objects.filter(user=user, confirmed=True).exists() for model in OTHER_FACTORS)


def has_authenticator_app(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def with_second_factor_state(accounts):
    """`accounts` annotated with `second_factor_enabled`, for lists (one query)."""
    enrolled = [Exists(factors) for factors in _enrolled_factors(OuterRef("pk"))]
    return accounts.annotate(second_factor_enabled=functools.reduce(operator.or_, enrolled))


def is_required_for(user):
    """Region agents must use a second factor, and so must an organisme's
    accounts once its primary account requires it."""
    return user.is_region_agent or bool(user.organisme_id and user.organisme.two_factor_required)


def applies_to(user):
    """Whether a session of `user` must be verified by a second factor."""
    return is_required_for(user) or has_second_factor(user)


def _totp_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def remaining_recovery_codes(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Codes


def normalize_code(code):
    return "".join(code.split()).replace("-", "").lower()


def is_totp_code(code):
    return len(code) == TOTP_DIGITS and code.isascii() and code.isdigit()


def recovery_code_digest(code):
    digest = salted_hmac("sigma.recovery-code", normalize_code(code), algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def _new_recovery_code():
    code = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(code[start : start + 4] for start in range(0, RECOVERY_CODE_LENGTH, 4))


def verify_code(user, code):
    """Whether `code` is the current code of the user's app, or one of its
    recovery codes (then used up). A TOTP code is accepted once only."""
    code = normalize_code(code)
    if is_totp_code(code):
        devices, token = TOTPDevice.objects.filter(user=user, confirmed=True), code
    elif code:
        devices, token = StaticDevice.objects.filter(user=user, confirmed=True), recovery_code_digest(code)
    else:
        return False
    return any(verify_token(user, device.persistent_id, token) for device in devices)


def _replace_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_code_digest(code)) for code in codes)
    return codes


# Enrolment


def matching_time_step(key, code):
    """The TOTP time step at which `code` is right for `key` (a step either
    side allowed for clock drift), or None."""
    code = normalize_code(code)
    if not is_totp_code(code):
        return None
    totp = TOTP(unhexlify(key), digits=TOTP_DIGITS)
    totp.time = time.time()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def base32_secret(key):
    """The secret as typed in an app by hand: base32, in groups of four."""
    text = base64.b32encode(unhexlify(key)).decode()
    return " ".join(text[start : start + 4] for start in range(0, len(text), 4))


def provisioning_uri(user, key):
    return TOTPDevice(user=user, key=key, digits=TOTP_DIGITS).config_url


def qr_code_svg(user, key):
    """The provisioning address as an inline SVG QR code: no script, no style,
    nothing the Content Security Policy refuses."""
    svg = segno.make(provisioning_uri(user, key), error="m").svg_inline(
        scale=5, border=4, light="#fff", svgclass="qr-code", title="QR code à scanner avec votre application"
    )
    # segno's markup carries only our fixed title and the code's geometry.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


@transaction.atomic
def enable(user: User, *, key: str, time_step: int, current_session: str | None = None) -> tuple[TOTPDevice, list[str]]:
    """Turn on the second factor of `user` with the app secret `key`,
    confirmed by a code of `time_step`. Returns the device and the recovery
    codes, to be shown once. The account's other sessions end (they never
    gave this factor); `current_session`, the key digest of the session that
    enabled it, stays (accounts.sign_in.keep_signed_in gives it a new key)."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name="Application d’authentification", key=key, digits=TOTP_DIGITS, confirmed=True, last_t=time_step
    )
    codes = _replace_recovery_codes(user)
    # Other sessions never gave this factor: they end.
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    forget_sessions(user, keep=current_session)
    record(AuditEntry.Action.TWO_FACTOR_ENABLED, account=user, acting_account=user)
    notify_security_event(user, SecurityEvent.SECOND_FACTOR_ENABLED)
    return device, codes


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes for `user`; the former ones stop working."""
    codes = _replace_recovery_codes(user)
    record(AuditEntry.Action.RECOVERY_CODES_REGENERATED, account=user, acting_account=user)
    return codes


def may_disable(user):
    return has_second_factor(user) and not is_required_for(user)


@transaction.atomic
def disable(user: User) -> None:
    """Turn off the second factor of `user` (who has just given a code)."""
    if not may_disable(user):
        raise ValueError("The second factor is required for this account.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(AuditEntry.Action.TWO_FACTOR_DISABLED, account=user, acting_account=user)
    notify_security_event(user, SecurityEvent.SECOND_FACTOR_DISABLED)


@transaction.atomic
def reset_second_factor(account, *, acting_account):
    """For a user who lost their app and recovery codes: their second factor
    (the app, the recovery codes and the passkeys) is removed and their
    sessions end. At their next login they enrol again if it is required,
    otherwise their password is enough until they turn it on."""
    TOTPDevice.objects.filter(user=account).delete()
    StaticDevice.objects.filter(user=account).delete()
    other_factors_removed = sum(model.objects.filter(user=account).delete()[0] for model in OTHER_FACTORS)
    account.session_generation += 1
    account.save(update_fields=["session_generation"])
    forget_sessions(account)
    changes = {"other_factors_removed": other_factors_removed} if other_factors_removed else {}
    record(AuditEntry.Action.TWO_FACTOR_RESET, account=account, acting_account=acting_account, changes=changes)
    notify_security_event(account, SecurityEvent.SECOND_FACTOR_RESET)


# The login's second step


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in whose first step was right (password, one-time link,
    ProConnect) and whose second-factor code is awaited; kept in the session
    by accounts.sign_in. A change of the account's password or sessions
    meanwhile (blocking, regeneration…) voids it, as does time."""

    account_id: int
    auth_hash: str
    at: float
    method: SignInMethod

    @classmethod
    def start(cls, user: User, method: SignInMethod) -> "PendingSignIn":
        return cls(account_id=user.pk, auth_hash=user.get_session_auth_hash(), at=time.time(), method=method)

    def holds_for(self, user: User) -> bool:
        return (
            self.account_id == user.pk
            and 0 <= time.time() - self.at <= PENDING_MAX_AGE_SECONDS
            and not user.is_deleted
            and secrets.compare_digest(user.get_session_auth_hash(), self.auth_hash)
        )


def pending_account(pending: PendingSignIn | None) -> User | None:
    """The account whose code `pending` awaits, if it still does."""
    if pending is None:
        return None
    accounts = User.objects.alive().select_related("organisme").filter(pk=pending.account_id)
    user = with_second_factor_state(accounts).first()
    return user if user is not None and pending.holds_for(user) else None


def verified_device(user: User) -> Device | None:
    """The device a session verified by `user`'s second factor is marked
    with: its app, else another factor (a passkey)."""
    return _totp_device(user) or next(
        (found for model in OTHER_FACTORS if (found := model.objects.filter(user=user, confirmed=True).first())),
        None,
    )


def mark_verified(request, user, *, device=None):
    """This session was verified by `device`, by default the account's app
    (passkeys.services, when a first passkey becomes the second factor)."""
    otp_login(request, device or verified_device(user))


# Demo data (demo/management/commands/load_demo.py)


def install_known_second_factor(user, *, key, recovery_codes):
    """Give `user` an app secret and recovery codes chosen in advance, for
    demonstration accounts whose codes the README tells."""
    if settings.PRODUCTION:
        raise RuntimeError("Known second factors are for demonstration data only.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="Démonstration", key=key, digits=TOTP_DIGITS, confirmed=True)
        device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=recovery_code_digest(code)) for code in recovery_codes
        )
