"""Responses no browser or proxy keeps (issue 14, F5)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response sigma's views make.

    Pages of a logged-in user, and downloads such as the Région's history
    export, must not come back from the cache of a shared computer after
    logout. Anonymous pages get it too unless their view chose otherwise
    (the one-time link's page shows whose account it opens). Static files are
    served before this middleware (WhiteNoise) and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
