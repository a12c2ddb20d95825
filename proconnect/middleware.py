from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from outbox.emails import absolute_url
from proconnect import client
from proconnect.session import ID_TOKEN_KEY


def _with_provider_in_form_action(response: HttpResponse) -> None:
    """sigma's forms may lead to ProConnect (its button; the sign-out, which
    goes on to its end-session endpoint): browsers apply the form-action of the
    Content Security Policy to those redirects, so ProConnect's origin (that of
    its discovery document, where ProConnect serves its endpoints) is added."""
    if hasattr(response, "_csp_config") or not settings.SECURE_CSP:
        return
    parts = urlsplit(settings.PROCONNECT_DISCOVERY_URL)
    form_action = [*settings.SECURE_CSP.get("form-action", []), f"{parts.scheme}://{parts.netloc}"]
    # The attribute Django's own @csp_override decorator sets on a response.
    response._csp_config = {**settings.SECURE_CSP, "form-action": form_action}  # type: ignore[attr-defined]


class ProConnectMiddleware:
    """A sign-out of a session opened with ProConnect goes on to ProConnect's
    end-session endpoint (RP-initiated logout with id_token_hint), which sends
    the browser back to proconnect:logged_out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not client.is_configured():
            return self.get_response(request)
        id_token = None
        if request.method == "POST" and request.path == reverse("accounts:logout") and request.user.is_authenticated:
            id_token = request.session.get(ID_TOKEN_KEY)
        response = self.get_response(request)
        if id_token and not request.user.is_authenticated:
            return_to = absolute_url(reverse("proconnect:logged_out"))
            redirect = client.logout_redirect(request, id_token=id_token, post_logout_redirect_uri=return_to)
            if redirect is not None:
                response = redirect
        _with_provider_in_form_action(response)
        return response
