from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import User


class ProConnectLink(models.Model):
    """A sigma account linked to one ProConnect identity (its `sub`), at most,
    and an identity to one account."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="compte", on_delete=models.CASCADE, related_name="proconnect_link"
    )
    sub = models.CharField("identifiant ProConnect", max_length=255, unique=True)
    email = models.EmailField("adresse ProConnect", max_length=254)
    linked_at = models.DateTimeField("lié le", default=timezone.now)

    class Meta:
        verbose_name = "liaison ProConnect"
        verbose_name_plural = "liaisons ProConnect"

    def __str__(self):
        return f"{self.account} ↔ {self.email}"


class AccessRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(expires_at__gt=timezone.now())


class AccessRequest(models.Model):
    """A person signed in with ProConnect asking to join the organisme whose
    SIRET ProConnect gave. Only pending requests are stored (at most one per
    person and organisme); what became of each is in the audit trail."""

    organisme = models.ForeignKey(
        "organisations.Organisme", verbose_name="organisme", on_delete=models.CASCADE, related_name="+"
    )
    sub = models.CharField("identifiant ProConnect", max_length=255)
    civilite = models.CharField("civilité", max_length=10, choices=User.Civilite)
    last_name = models.CharField("nom d’usage", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    email = models.EmailField("courriel", max_length=254)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d’accès"
        verbose_name_plural = "demandes d’accès"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisme", "sub"], name="one_access_request_per_person_and_organisme")
        ]

    def __str__(self):
        return f"{self.last_name} {self.first_name} → {self.organisme}"

    @property
    def full_name(self):
        return f"{self.last_name} {self.first_name}"
