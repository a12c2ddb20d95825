"""The one-time password link in e-mails. The stored e-mail carries a
placeholder; the token is minted only when the worker hands the e-mail over
(so no usable token ever sits in the outbox, and its hour of validity starts
on delivery). The outbox knows nothing of links: this module registers the
hook that fills the link in (AccountsConfig.ready)."""

from django.db import transaction
from django.urls import reverse

from accounts import links
from outbox.delivery import DeliveryCancelled, register_hand_over_hook
from outbox.emails import absolute_url
from outbox.models import OutgoingEmail

# Stands for the one-time link in the stored bodies; the real link replaces it
# at delivery. It is shaped like a token so the HTML turns it into a link.
LINK_PLACEHOLDER = "lien-a-usage-unique-ajoute-a-l-envoi"


def _link_path(token: str) -> str:
    return reverse("accounts:password_link", args=[token])


def placeholder_link_url() -> str:
    """The `link_url` of an e-mail sent with a `password_link`."""
    return absolute_url(_link_path(LINK_PLACEHOLDER))


def fill_in_password_link(email: OutgoingEmail, text_body: str, html_body: str) -> tuple[str, str]:
    """Mint the e-mail's link token and put the link in place of the placeholder;
    cancel the e-mail when its link was replaced or revoked meanwhile."""
    if not email.carries_password_link:
        return text_body, html_body
    if email.password_link is None:
        raise DeliveryCancelled(
            "Lien de génération de mot de passe remplacé ou révoqué avant l’envoi : courriel annulé."
        )
    with transaction.atomic():
        token = links.mint_token(email.password_link)
    placeholder_path, link_path = _link_path(LINK_PLACEHOLDER), _link_path(token)
    return text_body.replace(placeholder_path, link_path), html_body.replace(placeholder_path, link_path)


def register() -> None:
    register_hand_over_hook(fill_in_password_link)
