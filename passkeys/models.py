"""A passkey (WebAuthn credential) of an account: what the authenticator
registered, never a secret. Its public key checks the signatures it makes.

Subclass of django-otp's Device, so that a session it signed in counts as
verified by a second factor (OTPMiddleware, user.is_verified()) exactly as
one verified by the authenticator app."""

from django.conf import settings
from django.db import models
from django_otp.models import Device

NAME_MAX_LENGTH = 64


class Passkey(Device):
    # No reverse accessor on the account: accounts knows passkeys only as a
    # second factor registered with it (accounts.two_factor.OTHER_FACTORS).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # base64url of the credential id the authenticator chose (at most 1023 bytes).
    credential_id = models.CharField("identifiant de la clé", max_length=1400, unique=True)
    public_key = models.BinaryField("clé publique")
    sign_count = models.PositiveBigIntegerField("compteur de signatures", default=0)
    # The WebAuthn user handle the authenticator keeps with it: random, the
    # same for all passkeys of an account, never the account's id or name.
    user_handle = models.BinaryField("identifiant WebAuthn du compte", max_length=64)
    transports = models.JSONField("transports", default=list, blank=True)
    created_at = models.DateTimeField("ajoutée le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)

    objects: models.Manager["Passkey"] = models.Manager()

    class Meta:
        verbose_name = "clé d’accès"
        verbose_name_plural = "clés d’accès"
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return self.name
