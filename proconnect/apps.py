from django.apps import AppConfig


class ProConnectConfig(AppConfig):
    name = "proconnect"
    verbose_name = "ProConnect"

    def ready(self):
        from proconnect import signals  # noqa: F401  (connects the receivers)
