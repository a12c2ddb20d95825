from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from proconnect import services
from proconnect import session as pc_session


@receiver(user_logged_in, dispatch_uid="proconnect.link_after_proof")
def link_after_proof(sender, request, user, **kwargs):
    """The password login that proved an account is the person's (the link
    page) links it to their ProConnect identity once it completes."""
    if request is None or not hasattr(request, "session"):
        return
    candidates = request.session.pop(pc_session.PENDING_LINK_KEY, None)
    identity = pc_session.identity(request)
    pc_session.forget_identity(request)
    if candidates and identity is not None and user.pk in candidates:
        try:
            services.link_account(user, identity, acting_account=user)
        except services.AlreadyLinked:
            return
        request.session[pc_session.ID_TOKEN_KEY] = identity.id_token
