from django import template

from proconnect import client, permissions, services
from proconnect.models import ProConnectLink

register = template.Library()


@register.inclusion_tag("proconnect/_login_button.html", takes_context=True)
def proconnect_button(context):
    """ProConnect's button, on the login page, when sigma is configured for it."""
    return {"enabled": client.is_configured(), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("proconnect/_linked_accounts.html")
def proconnect_linked_accounts(organisme):
    """Which of the organisme's accounts sign in with ProConnect, for its
    primary account and the Region (one query)."""
    links = ProConnectLink.objects.filter(account__organisme=organisme, account__deleted_at__isnull=True)
    return {"links": links.select_related("account").order_by("account__last_name", "account__first_name")}


@register.inclusion_tag("proconnect/_pending_requests.html", takes_context=True)
def proconnect_pending_requests(context):
    """On a primary account's home page: the demandes d'accès awaiting it."""
    user = context["user"]
    if not permissions.may_answer_access_requests(user):
        return {"count": 0}
    return {"count": services.pending_requests(user.organisme).count()}


@register.inclusion_tag("proconnect/_account_section.html")
def proconnect_account_section():
    """On Mon compte: the way to the ProConnect link, once ProConnect is on."""
    return {"enabled": client.is_configured()}
