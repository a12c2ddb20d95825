"""Every change to an account goes through one of these actions.

Each runs in one transaction, writes its audit entry and queues its e-mail
(sent only once the transaction commits).
"""

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device

from accounts import link_emails, links, two_factor
from accounts.account_sessions import forget_sessions, open_sessions
from accounts.models import (
    IDENTIFIANT_TAKEN,
    SEARCHED_FIELDS,
    AccountSession,
    SignInMethod,
    UnknownIdentifiantAttempts,
    User,
    generate_identifiant,
)
from accounts.permissions import may_be_deleted
from accounts.security_notices import SecurityEvent, notify_security_event
from audit.context import current_ip_address
from audit.models import AuditEntry
from audit.services import record
from core.text import normalize_for_search, without_invisible_characters
from core.versioning import save_if_unchanged
from ops import metrics
from outbox.emails import absolute_url, send_email

EDITABLE_FIELDS = ("civilite", "last_name", "first_name", "email")


def _account_context(account):
    return {
        "account": account,
        "generation_url": absolute_url(reverse("accounts:password_generation")),
        "login_url": absolute_url(reverse("accounts:login")),
    }


@transaction.atomic
def create_account(*, organisme, kind, acting_account, civilite, last_name, first_name, email, identifiant=None):
    """Create an account with no password yet, its identifiant generated unless
    given; its user gets the first e-mail, leading to the password generation page."""
    account = User(
        identifiant=identifiant or generate_identifiant(),
        organisme=organisme,
        kind=kind,
        civilite=civilite,
        last_name=last_name,
        first_name=first_name,
        email=email,
        password_state=User.PasswordState.NOT_SET,
    )
    account.set_unusable_password()
    account.save()
    record(AuditEntry.Action.ACCOUNT_CREATED, account=account, acting_account=acting_account)
    send_email(to=account, template="account_created", context=_account_context(account))
    return account


def create_secondary_account(*, organisme, acting_account, **data):
    return create_account(organisme=organisme, kind=User.Kind.SECONDARY, acting_account=acting_account, **data)


@transaction.atomic
def modify_account(account, *, acting_account, based_on_version, **data):
    """Write the "Gestion du compte" values, only if the account is still at
    `based_on_version` (core.versioning): raises StaleEdit otherwise."""
    changes = {field: [getattr(account, field), data[field]] for field in EDITABLE_FIELDS}
    changes = {field: values for field, values in changes.items() if values[0] != values[1]}
    if changes:
        new_values = {field: new for field, (_old, new) in changes.items()}
        search_text = normalize_for_search(
            *(new_values.get(field, getattr(account, field)) for field in SEARCHED_FIELDS)
        )
        save_if_unchanged(
            account,
            based_on_version=based_on_version,
            changes=new_values | {"search_text": search_text},
            acting_account=acting_account,
        )
        record(AuditEntry.Action.ACCOUNT_MODIFIED, account=account, acting_account=acting_account, changes=changes)
    return changes


@transaction.atomic
def regenerate_password(account, *, acting_account):
    """The current password stops working at once (which also ends the account's
    sessions); the user goes through the password generation again, which
    serves active accounts only."""
    if not account.password_may_be_regenerated:
        raise ValueError("Compte désactivé\u00a0: son mot de passe n’est pas régénéré.")
    account.set_unusable_password()
    account.password_state = User.PasswordState.NOT_SET
    account.save(update_fields=["password", "password_state"])
    forget_sessions(account)
    links.revoke_links(account)
    record(AuditEntry.Action.PASSWORD_REGENERATED, account=account, acting_account=acting_account)
    context = _account_context(account) | {"by_region": acting_account.is_region_agent}
    send_email(to=account, template="password_regenerated", context=context)


@transaction.atomic
def delete_account(account, *, acting_account):
    """Remove the account for good while keeping its name for attribution.

    Its identifiant and e-mail address are dropped (freeing the identifiant),
    its password made unusable; the row stays so that what it did is still
    attributed to "Madame NOM Prénom". A primary account is deleted only once
    another account has taken its role.
    """
    if not may_be_deleted(account):
        raise ValueError("A primary account cannot be deleted before its role is handed over.")
    record(AuditEntry.Action.ACCOUNT_DELETED, account=account, acting_account=acting_account)
    account.deleted_at = timezone.now()
    account.identifiant = f"supprime-{secrets.token_hex(12)}"
    account.email = ""
    account.is_active = False
    account.deactivated_until = None
    account.set_unusable_password()
    account.save(update_fields=["deleted_at", "identifiant", "email", "is_active", "deactivated_until", "password"])
    forget_sessions(account)
    links.revoke_links(account)


@transaction.atomic
def unblock_account(account, *, acting_account):
    User.objects.filter(pk=account.pk).update(is_blocked=False, failed_login_count=0)
    account.refresh_from_db(fields=["is_blocked", "failed_login_count"])
    record(AuditEntry.Action.ACCOUNT_UNBLOCKED, account=account, acting_account=acting_account)


@transaction.atomic
def deactivate_account(account, *, acting_account, until=None):
    """Deactivate the account, for good or, with `until`, up to that day: the
    scheduled job reactivates it at the start of that day (reactivate_automatically)."""
    account.is_active = False
    account.deactivated_until = until
    account.session_generation += 1
    account.save(update_fields=["is_active", "deactivated_until", "session_generation"])
    forget_sessions(account)
    links.revoke_links(account)
    changes = {"deactivated_until": until.isoformat()} if until else {}
    record(AuditEntry.Action.ACCOUNT_DEACTIVATED, account=account, acting_account=acting_account, changes=changes)


@transaction.atomic
def activate_account(account, *, acting_account):
    account.is_active = True
    account.deactivated_until = None
    account.save(update_fields=["is_active", "deactivated_until"])
    record(AuditEntry.Action.ACCOUNT_ACTIVATED, account=account, acting_account=acting_account)


def accounts_due_for_reactivation(*, today=None):
    """Accounts deactivated until a day that has come (Europe/Paris days)."""
    today = today or timezone.localdate()
    return User.objects.alive().filter(is_active=False, deactivated_until__lte=today)


@transaction.atomic
def reactivate_automatically(account, *, today=None):
    """Reactivate an account whose deactivation date has come, tell its user by
    e-mail and record it as done by the system. Returns whether it did: the
    account is read again under a lock, so that an account activated, deleted
    or deactivated again meanwhile, or a second run, changes nothing."""
    account = accounts_due_for_reactivation(today=today).select_for_update().filter(pk=account.pk).first()
    if account is None:
        return False
    until = account.deactivated_until
    account.is_active = True
    account.deactivated_until = None
    account.save(update_fields=["is_active", "deactivated_until"])
    record(
        AuditEntry.Action.ACCOUNT_REACTIVATED_AUTOMATICALLY,
        account=account,
        acting_account=None,
        changes={"deactivated_until": until.isoformat()},
    )
    context = _account_context(account) | {"until": until}
    send_email(to=account, template="account_reactivated", context=context)
    return True


def reactivate_due_accounts(*, today=None):
    """Reactivate every account whose date has come, each in its own transaction
    (one failure leaves the others done). Returns how many were reactivated."""
    today = today or timezone.localdate()
    due = list(accounts_due_for_reactivation(today=today).order_by("pk"))
    return sum(reactivate_automatically(account, today=today) for account in due)


# Password generation and one-time links


def _same_text(a, b):
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@transaction.atomic
def request_password_link(*, identifiant, last_name, first_name, email):
    """Send a one-time link when all four fields match an active account.

    Returns nothing: the page answers the same whether or not they matched,
    and takes the same time. The request does the same work either way (one
    lookup, one task queued); what a match triggers (the link, its audit entry,
    the e-mail) runs in the worker (send_password_link), out of its timing (send_password_link_task).
    A blocked account may ask too: using the link proves the user owns the
    mailbox, and unblocks it.
    """
    account = User.objects.alive().with_identifiant(identifiant.strip()).filter(is_active=True).first()
    matches = account is not None and (
        _same_text(account.last_name, last_name)
        and _same_text(account.first_name, first_name)
        and _same_text(account.email, email)
    )
    # The address only goes along for the audit entry of a match.
    if account is not None and matches:
        send_password_link_task.enqueue(account.pk, current_ip_address.get())
    else:
        send_password_link_task.enqueue(None, None)


@transaction.atomic
def send_password_link(account_id: int) -> None:
    """Issue a one-time link to the account, if still active, and e-mail it:
    the worker's part of request_password_link, and the proof ProConnect asks
    of a person given this account's address (proconnect/)."""
    account = User.objects.alive().filter(pk=account_id, is_active=True).select_for_update().first()
    if account is None:
        return
    link = links.issue_link(account)
    record(AuditEntry.Action.PASSWORD_LINK_REQUESTED, account=account, acting_account=account)
    context = _account_context(account) | {
        # A new account, or one whose password was regenerated, has none to keep.
        "has_password": account.password_state == User.PasswordState.CHOSEN,
        "link_hours": settings.PASSWORD_LINK_MAX_AGE_SECONDS // 3600,
        "link_url": link_emails.placeholder_link_url(),
    }
    send_email(to=account, template="password_link", context=context, password_link=link)


def log_in_with_link(link: Any) -> "SignInResult | None":
    """Consume `link` and sign its user in with a temporary password; an
    account with a second factor is asked its code first (the link proves
    only that its user reads the mailbox). The account's other sessions end
    (its password changes).

    Returns None when the link was consumed meanwhile by a parallel request."""
    with transaction.atomic():
        deleted, _ = type(link).objects.filter(pk=link.pk).delete()
        if not deleted:
            return None
        user = User.objects.select_for_update(of=("self",)).select_related("organisme").get(pk=link.user_id)
        links.revoke_links(user)
        user.set_password(secrets.token_urlsafe(32))
        user.password_state = User.PasswordState.TEMPORARY
        user.save(update_fields=["password", "password_state"])
        forget_sessions(user)
        record(AuditEntry.Action.PASSWORD_LINK_USED, account=user, acting_account=user)
        if user.is_blocked:
            _unblock_by_owner(user)
    if two_factor.has_second_factor(user):
        return SignInResult(LoginOutcome.CODE_REQUIRED, user, SignInMethod.LINK)
    return SignInResult(LoginOutcome.SUCCESS, user, SignInMethod.LINK)


def _unblock_by_owner(user):
    User.objects.filter(pk=user.pk).update(is_blocked=False, failed_login_count=0)
    user.is_blocked, user.failed_login_count = False, 0
    record(AuditEntry.Action.ACCOUNT_UNBLOCKED, account=user, acting_account=user, changes={"by": "password_link"})
    primary = user.organisme.primary_account if user.organisme_id else None
    if primary and primary.pk != user.pk and primary.email:
        send_email(
            to=primary,
            template="account_unblocked_by_owner",
            context={"account": user, "primary": primary},
        )


@transaction.atomic
def change_credentials(
    user: User, *, identifiant: str, password: str, acting_account: User | None, current_session: str | None = None
) -> None:
    """Save a new identifiant and password chosen by the user ("Mon compte").
    The account's other sessions end; `current_session`, the key digest of
    the one that made the change, stays (it gets a new key). The user is told
    by e-mail, unless they were choosing their first password after a
    one-time link."""
    changes = {}
    previous = user.identifiant
    was_chosen = user.password_state == User.PasswordState.CHOSEN
    if identifiant != previous:
        changes["identifiant"] = [previous, identifiant]
    user.identifiant = identifiant
    user.set_password(password)
    user.password_state = User.PasswordState.CHOSEN
    try:
        with transaction.atomic():
            user.save(update_fields=["identifiant", "password", "password_state"])
    except IntegrityError:
        # Taken since the form checked it (a parallel request): the unique
        # index on LOWER(identifiant) has the last word.
        user.identifiant = previous
        raise ValidationError({"identifiant": IDENTIFIANT_TAKEN}, code="identifiant_taken") from None
    links.revoke_links(user)
    forget_sessions(user, keep=current_session)
    record(AuditEntry.Action.CREDENTIALS_CHANGED, account=user, acting_account=acting_account, changes=changes)
    if was_chosen:
        notify_security_event(user, SecurityEvent.PASSWORD_CHANGED)
        if "identifiant" in changes:
            notify_security_event(user, SecurityEvent.IDENTIFIANT_CHANGED)


@transaction.atomic
def remind_identifiant(*, last_name, first_name, email):
    """E-mail their identifiant to the active accounts matching all three
    fields. As request_password_link: the same work whether or not any
    matches, the e-mails rendered and queued by the worker (send_identifiant_reminders)."""
    candidates = User.objects.alive().filter(is_active=True, email__iexact=email.strip())
    matching = [
        account.pk
        for account in candidates
        if _same_text(account.last_name, last_name) and _same_text(account.first_name, first_name)
    ]
    send_identifiant_reminders_task.enqueue(matching, current_ip_address.get() if matching else None)


@transaction.atomic
def send_identifiant_reminders(account_ids: list[int]) -> None:
    for account in User.objects.alive().filter(pk__in=account_ids, is_active=True).order_by("pk"):
        record(AuditEntry.Action.IDENTIFIANT_REMINDED, account=account, acting_account=account)
        send_email(to=account, template="identifiant_reminder", context=_account_context(account))


# What a match on the public recovery pages triggers runs in the worker rather
# than in the request, so that the page takes the same time whether or not the
# details match an account. The tasks live here, beside what they run and what
# enqueues them, so that no module of accounts imports another back. The
# client's address goes along for the audit entries.

# Before the e-mails waiting for a retry, which the worker otherwise takes
# first: a second request must supersede a first link still waiting, as when
# the request did it itself.
RECOVERY_TASK_PRIORITY = 10


def _as_from(ip_address: str | None, action: Callable[..., None], *args: Any) -> None:
    token = current_ip_address.set(ip_address)
    try:
        action(*args)
    finally:
        current_ip_address.reset(token)


@task(priority=RECOVERY_TASK_PRIORITY)
def send_password_link_task(account_id: int | None, ip_address: str | None) -> None:
    if account_id is not None:
        _as_from(ip_address, send_password_link, account_id)


@task(priority=RECOVERY_TASK_PRIORITY)
def send_identifiant_reminders_task(account_ids: list[int], ip_address: str | None) -> None:
    if account_ids:
        _as_from(ip_address, send_identifiant_reminders, account_ids)


# Login and lockout


class LoginOutcome(enum.Enum):
    SUCCESS = "success"
    INVALID = "invalid"
    BLOCKED = "blocked"
    INACTIVE = "inactive"
    # The password was right; the account's second factor is asked next.
    CODE_REQUIRED = "code_required"
    # The code came too late, or the account changed since the password.
    CODE_EXPIRED = "code_expired"


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in decided; accounts.sign_in.sign_in writes the session
    from it (the account signed in, or its code awaited)."""

    outcome: LoginOutcome
    account: User | None = None
    method: SignInMethod = SignInMethod.PASSWORD
    # The account's second factor was checked (its code, or by ProConnect or a passkey).
    second_factor_verified: bool = False
    # The device that checked it, when not the account's app (a passkey).
    verified_by: Device | None = None

    @classmethod
    def refused(cls, outcome: LoginOutcome) -> "SignInResult":
        return cls(outcome)


def _unknown_identifiant_digest(identifiant):
    return salted_hmac("sigma.unknown-identifiant", identifiant.casefold(), algorithm="sha256").hexdigest()


def _locked(accounts: QuerySet[User]) -> User | None:
    """The account of `accounts` read under its row lock, or None. Every
    attempt on an account (password, second-factor code, current password)
    is decided under this lock, from the state it reads: parallel attempts take
    their turn, so each sees the failures counted before it and a blocked
    account stays blocked. (SQLite's transactions take the database's write
    lock as they begin: settings.DATABASES.)"""
    found = list(two_factor.with_second_factor_state(accounts.select_for_update(of=("self",))).order_by()[:1])
    return found[0] if found else None


@transaction.atomic
def log_in(*, identifiant: str, password: str) -> SignInResult:
    """Check the credentials, counting failures; the result says whether the
    user may be signed in (accounts.sign_in.sign_in) or asked its code.

    After MAX_FAILED_LOGINS consecutive failures the account is blocked and
    even the right password is refused. Identifiants that match no account
    get exactly the same answers, so none can be probed, and cost the same
    work: one transaction, one password hash.
    """
    identifiant = identifiant.strip()
    # With what the login goes on to ask (is a second factor on, or required by
    # the organisme?), and without first()'s ORDER BY: the unique index on the
    # identifiant finds at most one account.
    user = _locked(User.objects.alive().with_identifiant(identifiant).select_related("organisme"))
    if user is None:
        metrics.count_login("unknown_identifiant")
        return SignInResult.refused(_fail_unknown_identifiant(identifiant, password))
    if user.is_blocked:
        metrics.count_login("blocked")
        return SignInResult.refused(_refuse(user, LoginOutcome.BLOCKED))
    if not user.check_password(password):
        metrics.count_login("wrong_password")
        return SignInResult.refused(_count_failure(user))
    if not user.is_active:
        metrics.count_login("inactive")
        return SignInResult.refused(_refuse(user, LoginOutcome.INACTIVE))
    if two_factor.has_second_factor(user):
        # The failure count stays until the code is right too: wrong codes
        # add to it, and the password cannot be typed again to clear it.
        return SignInResult(LoginOutcome.CODE_REQUIRED, user)
    return _complete_login(user, SignInMethod.PASSWORD)


def _refuse(account: User, outcome: LoginOutcome) -> LoginOutcome:
    """A known account refused before it logs in (blocked or deactivated), in the trail."""
    record(AuditEntry.Action.LOGIN_FAILED, account=account, changes={"reason": outcome.value})
    return outcome


@transaction.atomic
def log_in_with_device(user: User, *, proof: Callable[[User], bool], device: Device, reason: str) -> SignInResult:
    """Sign in `user`, which `device` (a passkey verified by its user: two
    factors in one) names, if `proof(user)` holds. The account is read under
    its lock and refused as log_in refuses a blocked, deactivated or deleted
    one; the proof is checked under that lock, and a failed one counts toward
    the lockout as a wrong password does (`reason` in the trail)."""
    locked = _locked(User.objects.alive().select_related("organisme").filter(pk=user.pk))
    if locked is None:
        return SignInResult.refused(LoginOutcome.INACTIVE)
    if locked.is_blocked:
        return SignInResult.refused(_refuse(locked, LoginOutcome.BLOCKED))
    if not proof(locked):
        return SignInResult.refused(_count_failure(locked, reason=reason))
    if not locked.is_active:
        return SignInResult.refused(_refuse(locked, LoginOutcome.INACTIVE))
    return _complete_login(locked, SignInMethod.PASSKEY, second_factor_verified=True, verified_by=device)


@transaction.atomic
def confirm_with_device(user: User, *, proof: Callable[[User], bool], reason: str) -> bool:
    """Whether `proof(user)` holds for the logged-in `user` (a passkey of its
    own, on « Confirmez votre mot de passe »); a failed one counts toward the
    lockout as confirm_password's wrong password does."""
    locked = _locked(User.objects.filter(pk=user.pk))
    if locked is None or locked.is_blocked:
        return False
    if proof(locked):
        return True
    _count_failure(locked, reason=reason)
    return False


@transaction.atomic
def log_in_identified(user: User, *, method: SignInMethod, second_factor_verified: bool = False) -> SignInResult:
    """Sign in `user`, identified by other means than its password
    (ProConnect, a passkey, with `method`): read under its lock and refused as
    log_in refuses a blocked, deactivated or deleted account; an account with
    a second factor is asked its code next unless `second_factor_verified`
    (the identity provider or the passkey checked two factors)."""
    locked = _locked(User.objects.alive().select_related("organisme").filter(pk=user.pk))
    if locked is None:
        return SignInResult.refused(LoginOutcome.INACTIVE)
    if locked.is_blocked:
        return SignInResult.refused(_refuse(locked, LoginOutcome.BLOCKED))
    if not locked.is_active:
        return SignInResult.refused(_refuse(locked, LoginOutcome.INACTIVE))
    has_second_factor = two_factor.has_second_factor(locked)
    if has_second_factor and not second_factor_verified:
        return SignInResult(LoginOutcome.CODE_REQUIRED, locked, method)
    return _complete_login(locked, method, second_factor_verified=second_factor_verified)


@transaction.atomic
def log_in_with_code(pending: two_factor.PendingSignIn | None, *, code: str) -> SignInResult:
    """The login's second step: check the code of the account whose password
    (or one-time link, or ProConnect identity) was right, awaited by
    `pending`. Wrong codes count toward the same lockout as wrong passwords;
    the code is checked and used up under the account's lock, so that it lets
    in one request only. Unless the result is INVALID, the wait is over."""
    # Read again under the lock: blocking or deactivating the account since
    # its password voids the wait.
    if pending is None:
        return SignInResult.refused(LoginOutcome.CODE_EXPIRED)
    user = _locked(User.objects.select_related("organisme").filter(pk=pending.account_id))
    if user is None or not pending.holds_for(user):
        return SignInResult.refused(LoginOutcome.CODE_EXPIRED)
    if user.is_blocked:
        return SignInResult.refused(LoginOutcome.BLOCKED)
    if not two_factor.verify_code(user, code):
        return SignInResult.refused(_count_failure(user, reason="wrong_code"))
    return _complete_login(user, pending.method, second_factor_verified=True)


@transaction.atomic
def confirm_with_code(user: User, code: str) -> bool:
    """Whether `code` is right for the logged-in `user`'s second factor, which
    Mon compte asks before changing it. A wrong one counts toward the lockout
    as at login: a stolen session cannot try codes without end."""
    locked = _locked(User.objects.filter(pk=user.pk))
    if locked is None or locked.is_blocked:
        return False
    if two_factor.verify_code(locked, code):
        return True
    _count_failure(locked, reason="wrong_code")
    return False


@transaction.atomic
def confirm_password(user: User, password: str) -> bool:
    """Whether `password` is the logged-in `user`'s current password, which
    Mon compte asks before a change. A wrong one counts toward the lockout as
    at login (audited, blocking at the limit with the usual notices): a stolen
    session cannot guess the password without end."""
    locked = _locked(User.objects.filter(pk=user.pk))
    if locked is None or locked.is_blocked:
        return False
    if locked.check_password(password):
        return True
    _count_failure(locked, reason="wrong_current_password")
    return False


def _complete_login(
    user: User, method: SignInMethod, *, second_factor_verified: bool = False, verified_by: Device | None = None
) -> SignInResult:
    """`user`, read under its lock in the current transaction, may be signed
    in: its failure count is reset and the login audited."""
    if user.failed_login_count:
        User.objects.filter(pk=user.pk).update(failed_login_count=0)
    record(AuditEntry.Action.LOGIN_SUCCEEDED, account=user, acting_account=user)
    metrics.count_login("success")
    return SignInResult(LoginOutcome.SUCCESS, user, method, second_factor_verified, verified_by)


def _count_failure(user: User, *, reason: str = "wrong_password") -> LoginOutcome:
    """Count a wrong password or code of `user`, read under its lock in the
    current transaction; block it at the limit."""
    limit = settings.MAX_FAILED_LOGINS
    user.failed_login_count = min(user.failed_login_count + 1, limit)
    user.is_blocked = user.failed_login_count >= limit
    User.objects.filter(pk=user.pk).update(failed_login_count=user.failed_login_count, is_blocked=user.is_blocked)
    record(AuditEntry.Action.LOGIN_FAILED, account=user, changes={"reason": reason})
    if not user.is_blocked:
        return LoginOutcome.INVALID
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    forget_sessions(user)
    links.revoke_links(user)
    record(AuditEntry.Action.ACCOUNT_BLOCKED, account=user, acting_account=None, changes={"reason": "failed_logins"})
    _notify_blocked(user)
    transaction.on_commit(metrics.count_account_blocked)
    return LoginOutcome.BLOCKED


def _notify_blocked(account):
    """E-mail whoever can unblock `account` a direct link to do so (its
    organisme's primary account; the Region for a primary account, or when the
    primary account cannot log in either), and tell its user whom to contact."""
    primary = account.organisme.primary_account if account.is_secondary else None
    unblocker = primary if primary and primary.can_log_in else None
    to, namespace = (unblocker, "organisations") if unblocker else (settings.SIGMA_REGION_EMAIL, "region")
    # No page unblocks a Region agent: only the password generation path does.
    if not account.is_region_agent:
        unblock_url = absolute_url(reverse(f"{namespace}:account_action", args=[account.pk, "debloquer"]))
        context = {"account": account, "unblocker": unblocker, "unblock_url": unblock_url}
        send_email(to=to, template="account_blocked_manager", context=context)
    context = _account_context(account) | {"unblocker": unblocker, "region_email": settings.SIGMA_REGION_EMAIL}
    send_email(to=account, template="account_blocked_user", context=context)


def _fail_unknown_identifiant(identifiant: str, password: str) -> LoginOutcome:
    """As a wrong password on an account, within log_in's transaction: the
    identifiant's count read under its row lock, one password hash, one write."""
    limit = settings.MAX_FAILED_LOGINS
    attempts, _ = UnknownIdentifiantAttempts.objects.select_for_update().get_or_create(
        identifiant_digest=_unknown_identifiant_digest(identifiant)
    )
    if attempts.failed_count >= limit:
        return LoginOutcome.BLOCKED
    # Cost the same time as checking a real password.
    make_password(password)
    attempts.failed_count += 1
    attempts.last_attempt_at = timezone.now()
    attempts.save(update_fields=["failed_count", "last_attempt_at"])
    return LoginOutcome.BLOCKED if attempts.failed_count >= limit else LoginOutcome.INVALID


# Signed-in sessions (Mes sessions)

USER_AGENT_MAX_LENGTH = 512


def open_session(
    account: User, *, key_digest: str, method: SignInMethod, ip_address: str | None, user_agent: str
) -> AccountSession:
    """Record the session just signed in (its key digest, accounts.sessions),
    as Mes sessions lists it. Its audit entry is the login's."""
    return AccountSession.objects.create(
        account=account,
        key_digest=key_digest,
        sign_in_method=method,
        ip_address=ip_address,
        # A header the client writes: no NUL (PostgreSQL refuses it) nor
        # other invisible characters, and no more than the column holds.
        user_agent=without_invisible_characters(user_agent)[:USER_AGENT_MAX_LENGTH],
    )


def close_session(key_digest: str) -> None:
    """The session signed out (or timed out): it leaves Mes sessions."""
    AccountSession.objects.filter(key_digest=key_digest).delete()


def touch_session(key_digest: str) -> None:
    """The session was active now (called at most once a minute per session)."""
    AccountSession.objects.filter(key_digest=key_digest).update(last_activity_at=timezone.now())


@transaction.atomic
def end_session(session: AccountSession, *, acting_account: User) -> None:
    """Sign out one of the account's sessions (Mes sessions): its next
    request lands on the login page."""
    session.delete()
    record(
        AuditEntry.Action.SESSION_ENDED,
        account=session.account,
        acting_account=acting_account,
        changes={"sign_in_method": session.sign_in_method},
    )


@transaction.atomic
def end_other_sessions(account: User, *, current_session: str, acting_account: User) -> int:
    """Sign out every session of `account` but the current one. Returns how many."""
    ended = forget_sessions(account, keep=current_session)
    if ended:
        record(
            AuditEntry.Action.SESSIONS_ENDED, account=account, acting_account=acting_account, changes={"count": ended}
        )
    return ended


@transaction.atomic
def end_all_sessions(account: User, *, acting_account: User) -> int:
    """A manager (the organisme's primary account, the Région) signs out every
    session of `account`, who is told by e-mail. Returns how many."""
    ended = forget_sessions(account)
    record(AuditEntry.Action.SESSIONS_ENDED, account=account, acting_account=acting_account, changes={"count": ended})
    notify_security_event(account, SecurityEvent.SESSIONS_ENDED)
    return ended


def has_open_sessions(account: User) -> bool:
    return open_sessions(account).exists()
