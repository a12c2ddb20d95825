"""How the history shows an audit entry's author and changes, in French."""

import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD_LABELS = {
    "civilite": gettext_lazy("Civilité"),
    "last_name": gettext_lazy("Nom d'usage"),
    "first_name": gettext_lazy("Prénom"),
    "email": gettext_lazy("Courriel"),
    "identifiant": gettext_lazy("Identifiant"),
    "deactivated_until": gettext_lazy("Désactivé jusqu'au"),
    "former_primary": gettext_lazy("Ancien compte principal"),
    "new_primary": gettext_lazy("Nouveau compte principal"),
    "former_primary_becomes": gettext_lazy("L'ancien compte principal devient"),
    "by_proposal": gettext_lazy("Sur proposition acceptée"),
    "proposed_by": gettext_lazy("Proposé par"),
    "proposed_to": gettext_lazy("Proposé à"),
    "two_factor_required": gettext_lazy("Double authentification obligatoire"),
    "email_subject": gettext_lazy("Objet du courriel"),
    "recipient": gettext_lazy("Destinataire"),
    "invoice": gettext_lazy("Facture"),
    "bdc": gettext_lazy("N° de BDC"),
    "invoice_status": gettext_lazy("Statut"),
    "invoice_amount": "Montant",
    "rejection_reason": "Motif du rejet",
    "demande_objet": "Objet de la demande",
    "reponse": "Commentaire de la Région",
}
VALUE_LABELS = {
    "former_primary_becomes": {
        "secondary": gettext_lazy("compte secondaire"),
        "deactivated": gettext_lazy("désactivé"),
    },
}
# Stored as ISO dates, shown as the French read them.
DATE_FIELDS = {"deactivated_until"}
REASONS = {
    "wrong_password": gettext_lazy("mot de passe incorrect"),
    "wrong_code": gettext_lazy("code de double authentification incorrect"),
    "wrong_current_password": gettext_lazy("mot de passe actuel incorrect (Mon compte)"),
    "blocked": gettext_lazy("compte bloqué"),
    "inactive": gettext_lazy("compte désactivé"),
    "failed_logins": gettext_lazy("tentatives de connexion infructueuses"),
    "declined": gettext_lazy("refusée par la personne à qui le rôle était proposé"),
    "withdrawn": gettext_lazy("retirée par le compte principal"),
    "role_handed_over": gettext_lazy("le rôle a été transféré entre-temps"),
}
MEANS = {"password_link": gettext_lazy("Par son utilisateur, avec un lien de génération de mot de passe")}


# The labels of the stored values the trail's own app does not define, given by
# the app that does (accounts: civilités and kinds of account, in its ready()),
# so that the trail, below every app that writes to it, imports none of them.
ACTOR_KIND_LABELS: dict[str, Any] = {}


def register_labels(*, actor_kinds=(), values=None):
    """`actor_kinds`: (value, label) pairs; `values`: {field: (value, label) pairs}."""
    ACTOR_KIND_LABELS.update(actor_kinds)
    for field, choices in (values or {}).items():
        VALUE_LABELS.setdefault(field, {}).update(choices)


def describe_actor_kind(kind):
    """ "Compte principal", "Compte secondaire", "Agent de la Région", or "système" when nobody acted."""
    return ACTOR_KIND_LABELS.get(kind, _("système"))


def _value(field, value):
    if value in (None, ""):
        return _("(vide)")
    if field in DATE_FIELDS:
        return f"{datetime.date.fromisoformat(value):%d/%m/%Y}"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, str):
        return str(VALUE_LABELS.get(field, {}).get(value, value))
    return str(value)


def _in_reading_order(changes):
    # PostgreSQL's jsonb does not keep the keys' order: put them back in the
    # order of the forms, unknown keys last.
    order = ["reason", "by", *FIELD_LABELS]
    return sorted(changes.items(), key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]))


def describe_changes(changes):
    """One line per recorded change: "Nom d'usage : GU → GUY", "Motif : mot de passe incorrect"."""
    lines = []
    for key, value in _in_reading_order(changes):
        if key == "reason":
            lines.append(_("Motif : %(reason)s") % {"reason": REASONS.get(value, value)})
        elif key == "by":
            lines.append(str(MEANS.get(value, value)))
        elif isinstance(value, list) and len(value) == 2:
            old, new = (_value(key, item) for item in value)
            lines.append(
                _("%(field)s : %(old)s → %(new)s") % {"field": FIELD_LABELS.get(key, key), "old": old, "new": new}
            )
        else:
            lines.append(
                _("%(field)s : %(value)s") % {"field": FIELD_LABELS.get(key, key), "value": _value(key, value)}
            )
    return lines
