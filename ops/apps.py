from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Exploitation"

    def ready(self):
        from ops import metrics, middleware  # noqa: F401 (connects the request id signals)

        metrics.register_collectors()
