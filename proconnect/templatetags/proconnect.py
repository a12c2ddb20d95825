from django import template

from proconnect import client

register = template.Library()


@register.inclusion_tag("proconnect/_login_button.html", takes_context=True)
def proconnect_button(context):
    """ProConnect's button, on the login page, when sigma is configured for it."""
    return {"enabled": client.is_configured(), "csrf_token": context.get("csrf_token")}
