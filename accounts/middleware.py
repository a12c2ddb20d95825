from django.shortcuts import redirect
from django.urls import Resolver404, resolve

# Pages a user with a temporary password may still see.
ALLOWED_WITH_TEMPORARY_PASSWORD = {
    "accounts:credentials",
    "accounts:logout",
    "core:contacts",
}


class TemporaryPasswordMiddleware:
    """Until a user logged in by a one-time link chooses an identifiant and a
    password, every page sends them back to Mon compte > Modifications."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.has_temporary_password:
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None
            if view_name not in ALLOWED_WITH_TEMPORARY_PASSWORD:
                return redirect("accounts:credentials")
        return self.get_response(request)
