from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration data (`manage.py load_demo`): it sits above the apps
    whose records it writes, so that none of them depends on it."""

    name = "demo"
    verbose_name = "Données de démonstration"
