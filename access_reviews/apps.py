from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessReviewsConfig(AppConfig):
    name = "access_reviews"
    verbose_name = _("Revue des comptes")
