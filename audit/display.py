"""How the history shows an audit entry's author and changes, in French."""

import datetime
from typing import Any

FIELD_LABELS = {
    "civilite": "Civilité",
    "last_name": "Nom d’usage",
    "first_name": "Prénom",
    "email": "Courriel",
    "identifiant": "Identifiant",
    "deactivated_until": "Désactivé jusqu’au",
    "former_primary": "Ancien compte principal",
    "new_primary": "Nouveau compte principal",
    "former_primary_becomes": "L’ancien compte principal devient",
    "by_proposal": "Sur proposition acceptée",
    "proposed_by": "Proposé par",
    "proposed_to": "Proposé à",
    "two_factor_required": "Double authentification obligatoire",
    "email_subject": "Objet du courriel",
    "recipient": "Destinataire",
    "invoice": "Facture",
    "bdc": "N° de BDC",
    "invoice_status": "Statut",
    "sign_in_method": "Connexion par",
    "count": "Sessions fermées",
    "invoice_amount": "Montant",
    "rejection_reason": "Motif du rejet",
    "demande_objet": "Objet de la demande",
    "reponse": "Commentaire de la Région",
    "bilan": "Bilan",
    "stagiaire": "Stagiaire",
    "periodes": "Périodes",
}
VALUE_LABELS = {
    # accounts.models.SignInMethod, which audit may not import.
    "sign_in_method": {
        "password": "mot de passe",
        "passkey": "clé d’accès",
        "link": "lien à usage unique",
        "proconnect": "ProConnect",
    },
    "former_primary_becomes": {
        "secondary": "compte secondaire",
        "deactivated": "désactivé",
    },
}
# Stored as ISO dates, shown as the French read them.
DATE_FIELDS = {"deactivated_until"}
REASONS = {
    "wrong_password": "mot de passe incorrect",
    "wrong_code": "code de double authentification incorrect",
    "wrong_current_password": "mot de passe actuel incorrect (Mon compte)",
    "blocked": "compte bloqué",
    "inactive": "compte désactivé",
    "failed_logins": "tentatives de connexion infructueuses",
    "declined": "refusée par la personne à qui le rôle était proposé",
    "withdrawn": "retirée par le compte principal",
    "role_handed_over": "le rôle a été transféré entre-temps",
}
MEANS = {"password_link": "Par son utilisateur, avec un lien de génération de mot de passe"}


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
    return ACTOR_KIND_LABELS.get(kind, "système")


def _value(field, value):
    if value in (None, ""):
        return "(vide)"
    if field in DATE_FIELDS:
        return f"{datetime.date.fromisoformat(value):%d/%m/%Y}"
    if isinstance(value, bool):
        return "oui" if value else "non"
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
            lines.append("Motif : %(reason)s" % {"reason": REASONS.get(value, value)})
        elif key == "by":
            lines.append(str(MEANS.get(value, value)))
        elif isinstance(value, list) and len(value) == 2:
            old, new = (_value(key, item) for item in value)
            lines.append(
                "%(field)s : %(old)s → %(new)s" % {"field": FIELD_LABELS.get(key, key), "old": old, "new": new}
            )
        else:
            lines.append("%(field)s : %(value)s" % {"field": FIELD_LABELS.get(key, key), "value": _value(key, value)})
    return lines
