"""Recent authentication before security-sensitive changes.

A session remembers when its user last proved who they are: at login
(password, and code when the account has a second factor), through a one-time
link, or on the « Confirmez votre mot de passe » page (password or code).
Changes that would let a stolen session take the account over (turning the
second factor on, changing an e-mail address, unblocking an account, removing
someone's second factor, deleting an account, changing the organisme's
second-factor requirement, offering or handing over the primary role) require that proof to be recent
(settings.REAUTHENTICATION_MAX_AGE_SECONDS); otherwise the user confirms and
comes back to what they were doing.
"""

import functools
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "sigma_authenticated_at"
# A form sent without a recent authentication, kept to show it filled in again
# once the user has confirmed: {"path": ..., "data": {...}}.
PENDING_FORM_KEY = "sigma_reauthentication_pending_form"


def mark(request: HttpRequest) -> None:
    """The session's user has just proved who they are."""
    request.session[SESSION_KEY] = time.time()


def is_recent(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, (int, float)) and 0 <= time.time() - at <= settings.REAUTHENTICATION_MAX_AGE_SECONDS


def safe_return_url(request: HttpRequest, url: str) -> str:
    """`url` if it is a page of this site, else the home page."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("dashboard:home")


def confirm_first(request: HttpRequest, *, return_to: str | None = None) -> HttpResponseRedirect:
    """To the confirmation page, which then sends the user to `return_to`:
    by default the page asked for, or for a form sent, the page it was sent from."""
    if return_to is None:
        return_to = request.get_full_path() if request.method == "GET" else request.headers.get("Referer", request.path)
    return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': safe_return_url(request, return_to)})}")


def keep_form(request: HttpRequest) -> None:
    """Keep the form just sent (but its CSRF token), to show it filled in
    again on return from the confirmation page."""
    data = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    request.session[PENDING_FORM_KEY] = {"path": request.path, "data": data}


def kept_form(request: HttpRequest) -> dict[str, str] | None:
    """The form kept for this page by keep_form, once, or None."""
    pending = request.session.get(PENDING_FORM_KEY)
    if not isinstance(pending, dict) or pending.get("path") != request.path:
        return None
    del request.session[PENDING_FORM_KEY]
    return pending.get("data")


def required(view: Callable | None = None, *, return_to: str | None = None) -> Callable:
    """The view answers only a session whose authentication is recent; else
    the user confirms first, then comes back to the page asked for or, for a
    form sent to a POST-only view, to the page named `return_to`."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_recent(request):
                return confirm_first(request, return_to=reverse(return_to) if return_to else None)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view else decorate
