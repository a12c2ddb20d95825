from django.conf import settings
from django.db import models
from django.utils import timezone


class OutgoingEmail(models.Model):
    """One e-mail to one person for one event, written in the transaction of the
    change that causes it and delivered by the worker (outbox/delivery.py).

    The row is the unit of idempotency: however many tasks point at it, it is
    claimed by one conditional UPDATE at a time and never sent once `sent`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente d’envoi"
        SENDING = "sending", "Envoi en cours"
        # The recipient was accepted and the message is being handed over: a
        # worker dying now may or may not have delivered it, so it is never
        # retried on its own (see delivery.recover_interrupted_deliveries).
        HANDING_OVER = "handing_over", "Remise en cours"
        SENT = "sent", "Remis"
        FAILED = "failed", "Échec"
        CANCELLED = "cancelled", "Annulé"

    to = models.EmailField("destinataire", max_length=254)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_emails",
    )
    template = models.CharField("modèle", max_length=100)
    subject = models.CharField("objet", max_length=255)
    text_body = models.TextField()
    html_body = models.TextField()
    # Set for the e-mail carrying a one-time link: its token is minted at
    # delivery and exists only in the message sent, never in this table.
    password_link = models.ForeignKey(
        "accounts.PasswordLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carries_password_link = models.BooleanField(default=False)

    status = models.CharField("statut", max_length=20, choices=Status, default=Status.QUEUED)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("remis le", null=True, blank=True)
    attempt_count = models.PositiveIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)

    class Meta:
        verbose_name = "courriel"
        verbose_name_plural = "courriels"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["account", "-created_at"], name="outbox_account_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.get_status_display()})"

    @property
    def delivered(self):
        return self.status == self.Status.SENT


class DeliveryAttempt(models.Model):
    """One try at handing an e-mail to the SMTP server, kept for the Region."""

    class Outcome(models.TextChoices):
        SENT = "sent", "Remis"
        RETRY = "retry", "Échec temporaire, nouvel essai prévu"
        FAILED = "failed", "Échec définitif"
        INTERRUPTED = "interrupted", "Interrompu"

    email = models.ForeignKey(OutgoingEmail, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField("début")
    finished_at = models.DateTimeField("fin", default=timezone.now)
    outcome = models.CharField("résultat", max_length=20, choices=Outcome)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "tentative d’envoi"
        verbose_name_plural = "tentatives d’envoi"
        ordering = ["started_at", "pk"]

    def __str__(self):
        return f"{self.email_id} {timezone.localtime(self.started_at):%d/%m/%Y %H:%M} {self.outcome}"


def with_last_email(accounts):
    """Annotate `accounts` with the e-mail last queued to each (its subject,
    status, date and delivery date), in the same query."""
    last = OutgoingEmail.objects.filter(account=models.OuterRef("pk")).order_by("-created_at", "-pk")
    return accounts.annotate(
        last_email_subject=models.Subquery(last.values("subject")[:1]),
        last_email_status=models.Subquery(last.values("status")[:1]),
        last_email_at=models.Subquery(last.values("created_at")[:1]),
        last_email_sent_at=models.Subquery(last.values("sent_at")[:1]),
    )
