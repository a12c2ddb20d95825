from django.db import models

from core.text import normalize_for_search, validate_plain_text
from core.versioning import VersionedModel
from organisations.validators import validate_siret


class Organisme(VersionedModel):
    """A training organisation (organisme de formation) working for the Region."""

    raison_sociale = models.CharField("raison sociale", max_length=255, validators=[validate_plain_text])
    enseigne = models.CharField("enseigne", max_length=255, blank=True, validators=[validate_plain_text])
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the primary account: every account of the organisme must then
    # use a second factor (accounts/two_factor.py), enrolling at next login.
    two_factor_required = models.BooleanField("double authentification obligatoire", default=False)
    # Raison sociale, enseigne and SIRET, lowercased and without accents, for
    # the Region's accent-insensitive search on every database.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = "organisme de formation"
        verbose_name_plural = "organismes de formation"
        ordering = ["raison_sociale"]
        # Recherche rapide reads its page of matches in this order and stops
        # after 20, instead of sorting every match.
        indexes = [models.Index(fields=["raison_sociale", "id"], name="organisme_name_order")]

    def __str__(self):
        return self.raison_sociale

    def save(self, *args, **kwargs):
        self.search_text = normalize_for_search(self.raison_sociale, self.enseigne, self.siret)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def primary_account(self):
        return self.accounts.primary().first()
