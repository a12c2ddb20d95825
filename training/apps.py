from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Actions de formation"

    def ready(self):
        from audit.display import register_labels
        from core.versioning import saved_if_unchanged
        from training.dashboard import ORGANISME_OF, forget_written_dashboard
        from training.models import DemandeModification, Facture

        # The history shows an invoice's status and a demande's objet by their labels.
        register_labels(
            values={"invoice_status": Facture.Status.choices, "demande_objet": DemandeModification.Objet.choices}
        )

        for model in ORGANISME_OF:
            for signal in (post_save, post_delete, saved_if_unchanged):
                signal.connect(forget_written_dashboard, sender=model)
