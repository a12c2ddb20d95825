from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes d’accès"

    def ready(self):
        # Connects the receiver that starts a session's clock at login.
        from accounts import email_changes, link_emails, middleware  # noqa: F401
        from accounts.models import User
        from audit.display import register_labels

        # The history names kinds of account and civilités by their labels.
        register_labels(actor_kinds=User.Kind.choices, values={"civilite": User.Civilite.choices})

        # The outbox fills the one-time link in at hand-over through this hook.
        link_emails.register()
        email_changes.register()
