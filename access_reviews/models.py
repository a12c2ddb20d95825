from django.conf import settings
from django.db import models


class AccessReview(models.Model):
    """Where an organisme stands in its periodic review of its accounts: when
    its primary account last confirmed the list, and when it was last invited
    to. Each confirmation is also in the audit trail."""

    organisme = models.OneToOneField(
        "organisations.Organisme", on_delete=models.CASCADE, related_name="access_review", verbose_name="organisme"
    )
    reviewed_at = models.DateTimeField("dernière revue le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="revue confirmée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField("dernière invitation le", null=True, blank=True)

    class Meta:
        verbose_name = "revue des comptes"
        verbose_name_plural = "revues des comptes"

    def __str__(self):
        return f"{self.organisme} ({self.reviewed_at or '-'})"
