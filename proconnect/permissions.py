"""Who may do what with ProConnect's pages (denied unless a rule allows it)."""

from accounts.models import User
from proconnect.models import AccessRequest


def may_answer_access_requests(user: User) -> bool:
    """An organisme's primary account answers the demandes d'accès to it."""
    return bool(user.is_authenticated and user.is_primary and user.organisme_id and user.can_log_in)


def may_answer(user: User, access_request: AccessRequest) -> bool:
    return may_answer_access_requests(user) and access_request.organisme_id == user.organisme_id
