from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes d'accès")

    def ready(self):
        # Connects the receiver that starts a session's clock at login.
        from accounts import middleware  # noqa: F401
