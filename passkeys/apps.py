from django.apps import AppConfig


class PasskeysConfig(AppConfig):
    name = "passkeys"
    verbose_name = "Clés d’accès"

    def ready(self) -> None:
        from accounts import two_factor
        from passkeys.models import Passkey

        # A passkey, always verified by its user (PIN, fingerprint…), is a
        # second factor: accounts counts it beside the authenticator app and
        # removes it with the rest when the second factor is reset.
        two_factor.register_other_factor(Passkey)
