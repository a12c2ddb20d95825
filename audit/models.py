from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.display import describe_actor_kind, describe_changes

SYSTEM = "system"


class ActionField(models.CharField):
    """A CharField whose choices stay out of migrations: the database keeps any
    action name, and a new action (a label in Python) needs no migration, so
    parallel work adding actions never clashes on one AlterField."""

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, path, args, kwargs


class AuditEntry(models.Model):
    """One event in an account's life, written by the action that caused it.

    Names are copied at the time of the event so that the trail still reads
    correctly after an account is renamed or deleted.
    """

    class Action(models.TextChoices):
        ACCOUNT_CREATED = "account_created", "Création du compte"
        ACCOUNT_MODIFIED = "account_modified", "Modification du compte"
        PASSWORD_REGENERATED = "password_regenerated", "Régénération du mot de passe"
        PASSWORD_LINK_REQUESTED = "password_link_requested", "Demande de génération de mot de passe"
        PASSWORD_LINK_USED = "password_link_used", "Connexion par lien de génération de mot de passe"
        CONTACT_DETAILS_CHANGED = "contact_details_changed", "Modification de ses coordonnées"
        EMAIL_CHANGE_REQUESTED = "email_change_requested", "Demande de changement de courriel"
        EMAIL_CHANGED = "email_changed", "Changement de courriel confirmé"
        CREDENTIALS_CHANGED = "credentials_changed", "Modification de l’identifiant et du mot de passe"
        IDENTIFIANT_REMINDED = "identifiant_reminded", "Envoi de l’identifiant oublié"
        LOGIN_SUCCEEDED = "login_succeeded", "Connexion réussie"
        LOGIN_FAILED = "login_failed", "Échec de connexion"
        ACCOUNT_BLOCKED = "account_blocked", "Blocage du compte"
        ACCOUNT_UNBLOCKED = "account_unblocked", "Déblocage du compte"
        ACCOUNT_DEACTIVATED = "account_deactivated", "Désactivation du compte"
        ACCOUNT_ACTIVATED = "account_activated", "Activation du compte"
        ACCOUNT_REACTIVATED_AUTOMATICALLY = "account_reactivated_auto", "Réactivation automatique"
        ACCOUNT_DELETED = "account_deleted", "Suppression du compte"
        HANDOVER_PROPOSED = "handover_proposed", "Proposition de transfert du rôle de compte principal"
        HANDOVER_CANCELLED = "handover_cancelled", "Annulation du transfert du rôle de compte principal"
        ROLE_HANDED_OVER = "role_handed_over", "Transfert du rôle de compte principal"
        TWO_FACTOR_ENABLED = "two_factor_enabled", "Activation de la double authentification"
        TWO_FACTOR_DISABLED = "two_factor_disabled", "Désactivation de la double authentification"
        TWO_FACTOR_RESET = "two_factor_reset", "Réinitialisation de la double authentification"
        RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", "Régénération des codes de secours"
        PASSKEY_ADDED = "passkey_added", "Ajout d’une clé d’accès"
        PASSKEY_RENAMED = "passkey_renamed", "Renommage d’une clé d’accès"
        PASSKEY_REMOVED = "passkey_removed", "Suppression d’une clé d’accès"
        TWO_FACTOR_REQUIREMENT_CHANGED = (
            "two_factor_requirement",
            "Obligation de double authentification pour l’organisme",
        )
        EMAIL_RESENT = "email_resent", "Renvoi d’un courriel"
        ACCESS_REVIEW_CONFIRMED = "access_review_confirmed", "Revue des comptes confirmée"
        INVOICE_RECORDED = "invoice_recorded", "Enregistrement d’une facture"
        INVOICE_STATUS_CHANGED = "invoice_status_changed", "Changement de statut d’une facture"
        PROCONNECT_LINKED = "proconnect_linked", "Liaison du compte à ProConnect"
        PROCONNECT_UNLINKED = "proconnect_unlinked", "Suppression de la liaison à ProConnect"
        ACCESS_REQUESTED = "access_requested", "Demande d’accès"
        ACCESS_REQUEST_ACCEPTED = "access_request_accepted", "Acceptation d’une demande d’accès"
        ACCESS_REQUEST_REFUSED = "access_request_refused", "Refus d’une demande d’accès"
        SESSION_ENDED = "session_ended", "Fermeture d’une session"
        SESSIONS_ENDED = "sessions_ended", "Fermeture des sessions"
        INVOICE_CORRECTED = "invoice_corrected", "Correction d’une facture rejetée"
        DEMANDE_FILED = "demande_filed", "Dépôt d’une demande de modification"
        DEMANDE_ACCEPTED = "demande_accepted", "Acceptation d’une demande de modification"
        DEMANDE_REFUSED = "demande_refused", "Refus d’une demande de modification"
        BILAN_SAVED = "bilan_saved", "Enregistrement d’un bilan en brouillon"
        BILAN_VALIDATED = "bilan_validated", "Validation d’un bilan"
        BILAN_REOPENED = "bilan_reopened", "Réouverture d’un bilan par la Région"
        PERIODS_VALIDATED = "periods_validated", "Validation des périodes complètes"

    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    action = ActionField("action", max_length=40, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("auteur", max_length=320, blank=True)
    # The actor's kind at the time (User.Kind), or "system" when nobody acted.
    actor_kind = models.CharField("type d’auteur", max_length=20, default=SYSTEM)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    account_name = models.CharField("compte", max_length=320, blank=True)
    organisme = models.ForeignKey(
        "organisations.Organisme", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField("détails", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "journal des événements"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.account_name}"

    def save(self, *args, **kwargs):
        # The trail is append-only: an entry, once written, is never changed.
        if not self._state.adding:
            raise RuntimeError("Audit entries cannot be modified.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are removed only by the retention command.")

    @property
    def actor_display(self):
        return self.actor_name or "système"

    @property
    def actor_kind_display(self):
        return describe_actor_kind(self.actor_kind)

    @property
    def actor_label(self):
        """Who acted, as the history shows it: "Madame NOM Prénom (Compte principal)" or "système"."""
        if self.actor_kind == SYSTEM:
            return "système"
        return f"{self.actor_display} ({self.actor_kind_display})"

    @property
    def details(self):
        """The recorded changes, one readable French line each."""
        return describe_changes(self.changes)
