from django.urls import reverse

from core.emails import absolute_url
from proconnect import client
from proconnect.session import ID_TOKEN_KEY


class ProConnectLogoutMiddleware:
    """A sign-out of a session opened with ProConnect goes on to ProConnect's
    end-session endpoint (RP-initiated logout with id_token_hint), which sends
    the browser back to proconnect:logged_out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        id_token = None
        if request.method == "POST" and request.path == reverse("accounts:logout") and request.user.is_authenticated:
            id_token = request.session.get(ID_TOKEN_KEY)
        response = self.get_response(request)
        if id_token and client.is_configured() and not request.user.is_authenticated:
            return_to = absolute_url(reverse("proconnect:logged_out"))
            redirect = client.logout_redirect(request, id_token=id_token, post_logout_redirect_uri=return_to)
            if redirect is not None:
                return redirect
        return response
