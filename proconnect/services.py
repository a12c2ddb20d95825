"""ProConnect's actions: link, unlink, the demande d'accès and its answers.

As in accounts.services, each runs in one transaction, writes its audit entry
and queues its e-mails through the outbox.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, generate_identifiant
from audit.models import AuditEntry
from audit.services import record
from organisations.models import Organisme
from outbox.emails import absolute_url, send_email
from proconnect.client import Identity
from proconnect.models import AccessRequest, ProConnectLink


class AlreadyLinked(Exception):
    """The account, or the ProConnect identity, is linked already."""


@transaction.atomic
def link_account(account: User, identity: Identity, *, acting_account: User) -> ProConnectLink:
    try:
        with transaction.atomic():
            link = ProConnectLink.objects.create(account=account, sub=identity.sub, email=identity.email)
    except IntegrityError as error:
        raise AlreadyLinked from error
    record(
        AuditEntry.Action.PROCONNECT_LINKED,
        account=account,
        acting_account=acting_account,
        changes={"email": identity.email},
    )
    return link


@transaction.atomic
def unlink_account(account: User, *, acting_account: User) -> bool:
    deleted, _ = ProConnectLink.objects.filter(account=account).delete()
    if deleted:
        record(AuditEntry.Action.PROCONNECT_UNLINKED, account=account, acting_account=acting_account)
    return bool(deleted)


def linked_account(sub: str) -> User | None:
    link = ProConnectLink.objects.select_related("account__organisme").filter(sub=sub).first()
    return link.account if link else None


def organisme_with_siret(siret: str) -> Organisme | None:
    return Organisme.objects.filter(siret=siret).first()


def accounts_to_prove(organisme: Organisme, email: str):
    """The organisme's active, unlinked accounts with this address: the person
    may link one once they prove it is theirs."""
    if not email:
        return User.objects.none()
    return User.objects.alive().filter(
        organisme=organisme, is_active=True, email__iexact=email, proconnect_link__isnull=True
    )


def pending_requests(organisme: Organisme):
    return AccessRequest.objects.pending().filter(organisme=organisme)


class RequestPending(Exception):
    """This person's request to this organisme already awaits an answer."""


class RequestGone(Exception):
    """The request was answered (or lapsed) meanwhile."""


def _locked(access_request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.pending().select_for_update().filter(pk=access_request.pk).first()
    if locked is None:
        raise RequestGone
    return locked


@transaction.atomic
def request_access(
    *, identity: Identity, organisme: Organisme, civilite: str, last_name: str, first_name: str, email: str
) -> AccessRequest:
    """File a demande d'accès and tell the organisme's primary account."""
    now = timezone.now()
    # Lapsed requests go (theirs included, so that they may ask again): only
    # pending ones are kept, with the names and addresses they hold.
    AccessRequest.objects.filter(expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            access_request = AccessRequest.objects.create(
                organisme=organisme,
                sub=identity.sub,
                civilite=civilite,
                last_name=last_name,
                first_name=first_name,
                email=email,
                created_at=now,
                expires_at=now + timedelta(days=settings.PROCONNECT_ACCESS_REQUEST_DAYS),
            )
    except IntegrityError as error:
        raise RequestPending from error
    record(
        AuditEntry.Action.ACCESS_REQUESTED,
        account=None,
        organisme=organisme,
        changes={"last_name": last_name, "first_name": first_name, "email": email},
    )
    primary = organisme.primary_account
    if primary and primary.email:
        context = {
            "access_request": access_request,
            "primary": primary,
            "requests_url": absolute_url(reverse("proconnect:requests")),
        }
        send_email(to=primary, template="access_requested", context=context)
    return access_request


@transaction.atomic
def accept_request(access_request: AccessRequest, *, acting_account: User) -> User:
    """Create the compte secondaire, already linked to the person's ProConnect
    identity (no password to generate), and tell them."""
    access_request = _locked(access_request)
    account = User(
        identifiant=generate_identifiant(),
        organisme=access_request.organisme,
        kind=User.Kind.SECONDARY,
        civilite=access_request.civilite,
        last_name=access_request.last_name,
        first_name=access_request.first_name,
        email=access_request.email,
        password_state=User.PasswordState.NOT_SET,
    )
    account.set_unusable_password()
    account.save()
    record(AuditEntry.Action.ACCOUNT_CREATED, account=account, acting_account=acting_account)
    if ProConnectLink.objects.filter(sub=access_request.sub).exists():
        raise AlreadyLinked
    ProConnectLink.objects.create(account=account, sub=access_request.sub, email=access_request.email)
    record(
        AuditEntry.Action.ACCESS_REQUEST_ACCEPTED,
        account=account,
        acting_account=acting_account,
        changes={"email": access_request.email},
    )
    record(
        AuditEntry.Action.PROCONNECT_LINKED,
        account=account,
        acting_account=acting_account,
        changes={"email": access_request.email},
    )
    access_request.delete()
    context = {"account": account, "login_url": absolute_url(reverse("accounts:login"))}
    send_email(to=account, template="access_request_accepted", context=context)
    return account


@transaction.atomic
def refuse_request(access_request: AccessRequest, *, acting_account: User) -> None:
    access_request = _locked(access_request)
    record(
        AuditEntry.Action.ACCESS_REQUEST_REFUSED,
        account=None,
        acting_account=acting_account,
        organisme=access_request.organisme,
        changes={
            "last_name": access_request.last_name,
            "first_name": access_request.first_name,
            "email": access_request.email,
        },
    )
    context = {"access_request": access_request}
    send_email(to=access_request.email, template="access_request_refused", context=context)
    access_request.delete()
