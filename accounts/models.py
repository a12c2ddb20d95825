import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.text import normalize_for_search, validate_plain_text
from core.versioning import VersionedModel

IDENTIFIANT_ALPHABET = string.ascii_lowercase + string.digits
GENERATED_IDENTIFIANT_LENGTH = 10
# What User.search_text is made of, in this order.
SEARCHED_FIELDS = ("identifiant", "last_name", "first_name", "email")
# Said by the form that checks a chosen identifiant, by the unique index that
# has the last word when two people choose it at once, and by the command line.
IDENTIFIANT_TAKEN = "Cet identifiant est déjà utilisé."


class UserQuerySet(models.QuerySet["User"]):
    def alive(self) -> "UserQuerySet":
        """Accounts that have not been deleted."""
        return self.filter(deleted_at__isnull=True)

    def primary(self) -> "UserQuerySet":
        """The live primary accounts (one per organisme)."""
        return self.alive().filter(kind=User.Kind.PRIMARY)

    def with_identifiant(self, identifiant: str) -> "UserQuerySet":
        """The accounts named `identifiant`, whatever its case, compared as the
        unique index on LOWER(identifiant) compares them, and found through it.
        Every identifiant comparison goes through here: `identifiant__iexact`
        compiles to UPPER() or LIKE, which no index serves and which folds some
        letters (İ, ß) otherwise than LOWER, so a check could pass that the
        index then refuses."""
        return self.alias(identifiant_lower=Lower("identifiant")).filter(identifiant_lower=Lower(Value(identifiant)))

    def get_by_identifiant(self, identifiant: str) -> "User":
        return self.alive().with_identifiant(identifiant.strip()).get()


_UserManagerBase = BaseUserManager.from_queryset(UserQuerySet)


class UserManager(_UserManagerBase):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get_by_identifiant(username)


def generate_identifiant():
    """A random identifiant of 10 lowercase letters and digits, not yet taken."""
    while True:
        candidate = "".join(secrets.choice(IDENTIFIANT_ALPHABET) for _ in range(GENERATED_IDENTIFIANT_LENGTH))
        if not User.objects.with_identifiant(candidate).exists():
            return candidate


class User(AbstractBaseUser, VersionedModel):
    """An account of SIGMA: an organisme's primary or secondary account, or a Region agent."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Compte principal"
        SECONDARY = "secondary", "Compte secondaire"
        REGION_AGENT = "region_agent", "Agent de la Région"

    class Civilite(models.TextChoices):
        MADAME = "madame", "Madame"
        MONSIEUR = "monsieur", "Monsieur"

    class PasswordState(models.TextChoices):
        NOT_SET = "not_set", "Non encore généré"
        TEMPORARY = "temporary", "Temporaire"
        CHOSEN = "chosen", "Choisi par l’utilisateur"

    identifiant = models.CharField("identifiant", max_length=64, validators=[validate_plain_text])
    civilite = models.CharField("civilité", max_length=10, choices=Civilite, default=Civilite.MADAME)
    last_name = models.CharField("nom d’usage", max_length=150, validators=[validate_plain_text])
    first_name = models.CharField("prénom", max_length=150, validators=[validate_plain_text])
    email = models.EmailField("courriel", max_length=254)
    organisme = models.ForeignKey(
        "organisations.Organisme",
        verbose_name="organisme",
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
    )
    kind = models.CharField("type de compte", max_length=20, choices=Kind)
    is_active = models.BooleanField("compte actif", default=True)
    # Set when the account is deactivated until a date: the scheduled job
    # (reactivate_accounts) activates it again once that day has come.
    deactivated_until = models.DateField("désactivé jusqu’au", null=True, blank=True)
    is_blocked = models.BooleanField("compte bloqué", default=False)
    failed_login_count = models.PositiveSmallIntegerField("tentatives de connexion infructueuses", default=0)
    password_state = models.CharField(
        "état du mot de passe", max_length=10, choices=PasswordState, default=PasswordState.NOT_SET
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)
    # Identifiant, names and e-mail, lowercased and without accents, for the
    # Region's accent-insensitive search on every database.
    search_text = models.TextField(editable=False, default="")
    # Bumped to end the account's open sessions for good (see _get_session_auth_hash).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "identifiant"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = "compte"
        verbose_name_plural = "comptes"
        ordering = ["last_name", "first_name"]
        # Lists and the Recherche rapide show accounts in this order: with the
        # index, a page of a broad search reads its 20 rows, not every match.
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="account_name_order")]
        constraints = [
            models.UniqueConstraint(
                Lower("identifiant"),
                name="unique_identifiant_ignoring_case",
                violation_error_message=IDENTIFIANT_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["organisme"],
                condition=models.Q(kind="primary", deleted_at__isnull=True),
                name="one_primary_account_per_organisme",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="region_agent", organisme__isnull=True)
                    | models.Q(kind__in=["primary", "secondary"], organisme__isnull=False)
                ),
                name="organisme_set_for_organisme_accounts_only",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        """As the guide shows a manager: "NOM Prénom"."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def civil_name(self):
        """As the guide's messages name someone: "Madame NOM Prénom"."""
        return f"{self.get_civilite_display()} {self.full_name}"

    @property
    def short_civil_name(self):
        """As the guide's organisme page shows the manager, its typo aside: "Mme NOM Prénom"."""
        title = "Mme" if self.civilite == self.Civilite.MADAME else "M."
        return f"{title} {self.full_name}"

    @property
    def is_primary(self):
        return self.kind == self.Kind.PRIMARY

    @property
    def is_secondary(self):
        return self.kind == self.Kind.SECONDARY

    @property
    def is_region_agent(self):
        return self.kind == self.Kind.REGION_AGENT

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def has_temporary_password(self):
        return self.password_state == self.PasswordState.TEMPORARY

    @property
    def can_log_in(self):
        return self.is_active and not self.is_blocked and not self.is_deleted

    @property
    def password_may_be_regenerated(self):
        """Régénérer le mot de passe is offered on active accounts only: the
        generation page serves active accounts, so a deactivated one would get
        an invitation that leads nowhere. Reactivated, it may be regenerated."""
        return self.is_active and not self.is_deleted

    @property
    def status_label(self):
        """As the account lists show it: "Actif", "Désactivé" or "Désactivé jusqu'au 12/01/2027"."""
        if self.is_active:
            return "Actif"
        if self.deactivated_until:
            return "Désactivé jusqu’au %(date)s" % {"date": f"{self.deactivated_until:%d/%m/%Y}"}
        return "Désactivé"

    def get_username(self):
        return self.identifiant

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        # Other fields (last_login at every login) leave the search text as stored.
        if update_fields is None or not set(update_fields).isdisjoint(SEARCHED_FIELDS):
            self.search_text = normalize_for_search(*(getattr(self, field) for field in SEARCHED_FIELDS))
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers only the password: a session ended by blocking or
        # deactivating the account would come back when it is unblocked or
        # reactivated. The generation, bumped then, ends it for good.
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class PasswordLink(models.Model):
    """A one-time link that logs its user in with a temporary password.

    Only the SHA-256 digest of the token is stored; the token itself exists
    only in the e-mail that carries it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_links")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "lien de génération de mot de passe"
        verbose_name_plural = "liens de génération de mot de passe"

    def __str__(self):
        return f"{self.user} (expire le {timezone.localtime(self.expires_at):%d/%m/%Y %H:%M})"


class UnknownIdentifiantAttempts(models.Model):
    """Failed logins against identifiants that match no account.

    Counted like a real account's so that the answers (including the blocked
    message) never reveal whether an identifiant exists. Keyed by an HMAC of
    the lowercased identifiant: what people type there is not kept in clear.
    """

    identifiant_digest = models.CharField(max_length=64, unique=True)
    failed_count = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.failed_count} échec(s), dernier le {timezone.localtime(self.last_attempt_at):%d/%m/%Y %H:%M}"


class HandoverProposal(models.Model):
    """A primary account's offer of its role to one of its organisme's secondary
    accounts, pending until that person accepts it or either side cancels it.

    Only pending proposals are stored, at most one per organisme; what became
    of each is kept in the audit trail.
    """

    organisme = models.OneToOneField(
        "organisations.Organisme",
        verbose_name="organisme",
        on_delete=models.CASCADE,
        related_name="handover_proposal",
    )
    proposed_by = models.ForeignKey(User, verbose_name="proposée par", on_delete=models.CASCADE, related_name="+")
    proposed_to = models.ForeignKey(User, verbose_name="proposée à", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("proposée le", default=timezone.now)

    class Meta:
        verbose_name = "proposition de transfert du rôle de compte principal"
        verbose_name_plural = "propositions de transfert du rôle de compte principal"

    def __str__(self):
        return f"{self.proposed_by} → {self.proposed_to} ({self.organisme})"

    def stale_reason(self):
        """Why the proposal can no longer be accepted, or "" while it holds: its
        author must still be the organisme's primary account and its addressee
        one of its secondary accounts, both able to log in."""
        proposer, addressee = self.proposed_by, self.proposed_to
        if not (proposer.is_primary and proposer.organisme_id == self.organisme_id and proposer.can_log_in):
            return "%(name)s n’est plus le compte principal actif de l’organisme." % {"name": proposer.civil_name}
        if not (addressee.is_secondary and addressee.organisme_id == self.organisme_id and addressee.can_log_in):
            return "Le compte de %(name)s n’est plus un compte secondaire actif de l’organisme." % {
                "name": addressee.civil_name
            }
        return ""


class SignInMethod(models.TextChoices):
    """How a session was opened, as Mes sessions names it."""

    PASSWORD = "password", "mot de passe"
    PASSKEY = "passkey", "clé d’accès"
    LINK = "link", "lien à usage unique"
    PROCONNECT = "proconnect", "ProConnect"


class AccountSessionQuerySet(models.QuerySet["AccountSession"]):
    def open(self) -> "AccountSessionQuerySet":
        """Sessions not yet past their idle or absolute limit (the limits
        accounts.middleware.SessionLifetimeMiddleware applies; last activity is
        written at most once a minute, so a session may look open a minute
        longer than it is)."""
        now = timezone.now()
        return self.filter(
            last_activity_at__gt=now - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS + 60),
            created_at__gt=now - timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME_SECONDS),
        )


class AccountSession(models.Model):
    """A signed-in session of an account, as Mes sessions lists it.

    Keyed by a keyed digest of the session key (accounts.sessions.key_digest),
    never the key itself: this table alone does not let anyone take a session
    over. Deleting the row ends the session: the session store refuses a
    session whose row is gone (accounts.sessions.SessionStore.load).
    """

    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    key_digest = models.CharField(max_length=64, unique=True)
    sign_in_method = models.CharField(max_length=20, choices=SignInMethod)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = AccountSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account} ({self.get_sign_in_method_display()}, {self.created_at:%d/%m/%Y %H:%M})"


class EmailChange(models.Model):
    """A new courriel its account asked for (Mes coordonnées), waiting for the
    one-time link sent to it: the address takes effect only once confirmed.

    At most one per account; only the SHA-256 digest of the link's token is
    stored, minted as the e-mail leaves (accounts/email_changes.py).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="email_change")
    new_email = models.EmailField("nouveau courriel", max_length=254)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "changement de courriel en attente"
        verbose_name_plural = "changements de courriel en attente"

    def __str__(self):
        return f"{self.user} → {self.new_email}"
