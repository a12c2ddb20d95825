"""What a ProConnect sign-in keeps in the session between its pages."""

import dataclasses
import time

from django.http import HttpRequest

from proconnect.client import Identity

# The checked identity of a person not yet signed in, for the link and
# demande d'accès pages that follow the callback.
IDENTITY_KEY = "proconnect_identity"
IDENTITY_MAX_AGE_SECONDS = 15 * 60
# The ID token of the signed-in session: the sign-out hands it to ProConnect.
ID_TOKEN_KEY = "proconnect_id_token"
# The accounts whose password, once given, links them to IDENTITY_KEY's identity.
PENDING_LINK_KEY = "proconnect_pending_link"
# The sub asked for a second factor already: asked once, never in a loop.
STEP_UP_KEY = "proconnect_step_up"


def remember_identity(request: HttpRequest, identity: Identity) -> None:
    request.session[IDENTITY_KEY] = dataclasses.asdict(identity) | {"at": time.time()}


def identity(request: HttpRequest) -> Identity | None:
    data = request.session.get(IDENTITY_KEY)
    if not isinstance(data, dict) or time.time() - data.get("at", 0) > IDENTITY_MAX_AGE_SECONDS:
        return None
    fields = {field.name for field in dataclasses.fields(Identity)}
    return Identity(**{name: value for name, value in data.items() if name in fields})


def forget_identity(request: HttpRequest) -> None:
    request.session.pop(IDENTITY_KEY, None)
    request.session.pop(PENDING_LINK_KEY, None)
