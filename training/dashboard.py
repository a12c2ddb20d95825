"""What the home page counts and says: MES ACTIONS, INDICATEURS DE SUIVI,
MA FACTURATION and MES DEMANDES.

The counts run as a fixed handful of aggregate queries, whatever the size of
the organisme: the home page is the page everybody opens first. Their
blocks are cached per organisme until a change to what they count commits
(home_blocks, forget_dashboard).
"""

import secrets
from dataclasses import dataclass

from asgiref.local import Local
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import get_language

from core.text import plural
from training.bilans import pending_bilan
from training.models import (
    ActionFormation,
    ActionQuerySet,
    ActionState,
    Bilan,
    DemandeModification,
    Facture,
    Inscription,
    PeriodeDeclaration,
    invoice_state_condition,
)


@dataclass(frozen=True)
class DashboardCounts:
    actions_en_attente_ouverture: int
    actions_en_cours: int
    actions_en_retard_fermeture: int
    inscriptions_en_attente: int
    actions_with_inscriptions_en_attente: int
    periodes_en_attente: int
    actions_with_periodes_en_attente: int
    bilans_situation_sortie: int
    bilans_situation_3_mois: int
    bilans_situation_6_mois: int
    bilans_satisfaction: int
    questionnaires_suivi: int
    factures_en_attente_validation: int
    factures_rejetees: int
    factures_en_attente_emission: int
    factures_suspendues: int
    demandes_en_attente: int


def dashboard_counts(organisme, today):
    """Every count of the home page, for one organisme or, with None, for all.

    Six aggregate queries, each a single pass over the rows of one table.
    """

    def scoped(queryset, path_to_organisme):
        if organisme is None:
            return queryset
        return queryset.filter(**{path_to_organisme: organisme})

    actions = scoped(ActionFormation.objects.all(), "organisme").aggregate(
        en_attente_ouverture=_count_in_state(ActionState.EN_ATTENTE_OUVERTURE, today),
        en_cours=_count_in_state(ActionState.EN_COURS, today),
        en_retard_fermeture=_count_in_state(ActionState.EN_RETARD_FERMETURE, today),
    )
    inscriptions = scoped(Inscription.objects.filter(stagiaire__isnull=True), "action__organisme").aggregate(
        count=Count("pk"), actions=Count("action", distinct=True)
    )
    periodes = scoped(
        PeriodeDeclaration.objects.pending(today),
        "action__organisme",
    ).aggregate(count=Count("pk"), actions=Count("action", distinct=True))
    # One pass over the inscriptions, each bilan counted by the rule its list uses.
    bilans = scoped(Inscription.objects.filter(stagiaire__isnull=False), "action__organisme").aggregate(
        **{kind.value: Count("pk", filter=pending_bilan(kind, today)) for kind in Bilan.Kind}
    )
    # The invoice list filters by the same conditions (Facture.objects.in_list_state).
    factures = scoped(Facture.objects.all(), "action__organisme").aggregate(
        en_attente_validation=Count("pk", filter=invoice_state_condition(Facture.Status.EN_ATTENTE_VALIDATION, today)),
        rejetees=Count("pk", filter=invoice_state_condition(Facture.Status.REJETEE, today)),
        en_attente_emission=Count("pk", filter=invoice_state_condition(Facture.Status.EN_ATTENTE_EMISSION, today)),
        suspendues=Count("pk", filter=invoice_state_condition(Facture.Status.SUSPENDUE, today)),
    )
    # The demande list filters by the same rule (DemandeModification.objects.pending).
    demandes = scoped(DemandeModification.objects.pending(), "action__organisme").count()
    return DashboardCounts(
        actions_en_attente_ouverture=actions["en_attente_ouverture"],
        actions_en_cours=actions["en_cours"],
        actions_en_retard_fermeture=actions["en_retard_fermeture"],
        inscriptions_en_attente=inscriptions["count"],
        actions_with_inscriptions_en_attente=inscriptions["actions"],
        periodes_en_attente=periodes["count"],
        actions_with_periodes_en_attente=periodes["actions"],
        bilans_situation_sortie=bilans[Bilan.Kind.SITUATION_SORTIE],
        bilans_situation_3_mois=bilans[Bilan.Kind.SITUATION_3_MOIS],
        bilans_situation_6_mois=bilans[Bilan.Kind.SITUATION_6_MOIS],
        bilans_satisfaction=bilans[Bilan.Kind.SATISFACTION],
        questionnaires_suivi=bilans[Bilan.Kind.QUESTIONNAIRE_SUIVI],
        factures_en_attente_validation=factures["en_attente_validation"],
        factures_rejetees=factures["rejetees"],
        factures_en_attente_emission=factures["en_attente_emission"],
        factures_suspendues=factures["suspendues"],
        demandes_en_attente=demandes,
    )


def _count_in_state(state, today):
    return Count("pk", filter=ActionQuerySet.state_condition(state, today))


@dataclass(frozen=True)
class Line:
    """One sentence of the home page; `url` leads to what it counts, when that list exists."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[Line]


def _list_url(name, query):
    return f"{reverse(name)}?{query}"


def _action_list_url(query):
    return _list_url("training:action_list", query)


def _invoice_list_url(query):
    return _list_url("training:invoice_list", query)


def _line(count, text, url):
    return Line(text, url if count else None)


def _sentence(count, zero, counted, **values):
    """`zero` when nothing is counted, else `counted` (already chosen by ngettext) filled in."""
    if not count:
        return zero
    return counted % {"count": count, **values}


def all_actions_url():
    return reverse("training:action_list")


def _bilan_line(count, kind, zero, counted):
    return _line(count, _sentence(count, zero, counted), _list_url("training:bilan_list", f"type={kind.value}"))


def my_actions(counts):
    """MES ACTIONS."""
    c = counts
    return [
        _line(
            c.actions_en_attente_ouverture,
            "Actions en attente d’ouverture : %(count)d" % {"count": c.actions_en_attente_ouverture},
            _action_list_url("etat=en_attente_ouverture"),
        ),
        _line(
            c.actions_en_cours,
            "Actions en cours : %(count)d" % {"count": c.actions_en_cours},
            _action_list_url("etat=en_cours"),
        ),
        _line(
            c.actions_en_retard_fermeture,
            "Actions en retard de fermeture : %(count)d" % {"count": c.actions_en_retard_fermeture},
            _action_list_url("etat=en_retard_fermeture"),
        ),
    ]


def follow_up_indicators(counts):
    """INDICATEURS DE SUIVI."""
    c = counts
    n = c.inscriptions_en_attente
    inscriptions = _line(
        n,
        _sentence(
            n,
            "Aucune inscription de stagiaire en attente de saisie.",
            plural(
                "%(count)d inscription de stagiaire est en attente de saisie sur %(actions)d de vos actions.",
                "%(count)d inscriptions de stagiaires sont en attente de saisie sur %(actions)d de vos actions.",
                n,
            ),
            actions=c.actions_with_inscriptions_en_attente,
        ),
        _action_list_url("a_traiter=inscriptions"),
    )
    n = c.periodes_en_attente
    periodes = _line(
        n,
        _sentence(
            n,
            "Aucune période de déclaration en attente de validation.",
            plural(
                "%(count)d période de déclaration n’a pas fait l’objet de validation sur %(actions)d de vos actions.",
                "%(count)d périodes de déclaration n’ont pas fait l’objet de validation "
                "sur %(actions)d de vos actions.",
                n,
            ),
            actions=c.actions_with_periodes_en_attente,
        ),
        _action_list_url("a_traiter=declarations"),
    )
    return [
        Section("Inscriptions en attente", [inscriptions]),
        Section("Déclarations de réalisations en attente", [periodes]),
        Section(
            "Bilans de situation en attente",
            [
                _bilan_line(
                    c.bilans_situation_sortie,
                    Bilan.Kind.SITUATION_SORTIE,
                    "Aucun bilan de situation à la sortie en attente de validation.",
                    plural(
                        "%(count)d bilan de situation à la sortie est en attente de validation.",
                        "%(count)d bilans de situation à la sortie sont en attente de validation.",
                        c.bilans_situation_sortie,
                    ),
                ),
                _bilan_line(
                    c.bilans_situation_3_mois,
                    Bilan.Kind.SITUATION_3_MOIS,
                    "Aucun bilan de situation à 3 mois en attente de validation.",
                    plural(
                        "%(count)d bilan de situation à 3 mois est en attente de validation.",
                        "%(count)d bilans de situation à 3 mois sont en attente de validation.",
                        c.bilans_situation_3_mois,
                    ),
                ),
                _bilan_line(
                    c.bilans_situation_6_mois,
                    Bilan.Kind.SITUATION_6_MOIS,
                    "Aucun bilan de situation à 6 mois en attente de validation.",
                    plural(
                        "%(count)d bilan de situation à 6 mois est en attente de validation.",
                        "%(count)d bilans de situation à 6 mois sont en attente de validation.",
                        c.bilans_situation_6_mois,
                    ),
                ),
            ],
        ),
        Section(
            "Bilans de satisfaction en attente",
            [
                _bilan_line(
                    c.bilans_satisfaction,
                    Bilan.Kind.SATISFACTION,
                    "Aucun bilan de satisfaction en attente de validation.",
                    plural(
                        "%(count)d bilan de satisfaction est en attente de validation.",
                        "%(count)d bilans de satisfaction sont en attente de validation.",
                        c.bilans_satisfaction,
                    ),
                )
            ],
        ),
        Section(
            "Questionnaires de suivi en attente",
            [
                _bilan_line(
                    c.questionnaires_suivi,
                    Bilan.Kind.QUESTIONNAIRE_SUIVI,
                    "Aucun questionnaire de suivi en attente de validation.",
                    plural(
                        "%(count)d questionnaire de suivi est en attente de validation.",
                        "%(count)d questionnaires de suivi sont en attente de validation.",
                        c.questionnaires_suivi,
                    ),
                )
            ],
        ),
    ]


def my_invoicing(counts):
    """MA FACTURATION."""
    c = counts
    return [
        _line(
            c.factures_en_attente_validation,
            _sentence(
                c.factures_en_attente_validation,
                "Aucune facture n’est en attente de validation sur vos actions",
                plural(
                    "%(count)d facture est en attente de validation sur vos actions",
                    "%(count)d factures sont en attente de validation sur vos actions",
                    c.factures_en_attente_validation,
                ),
            ),
            _invoice_list_url("statut=en_attente_validation"),
        ),
        _line(
            c.factures_rejetees,
            _sentence(
                c.factures_rejetees,
                "Aucune facture n’a été rejetée dans les 30 derniers jours sur vos actions",
                plural(
                    "%(count)d facture a été rejetée dans les 30 derniers jours sur vos actions",
                    "%(count)d factures ont été rejetées dans les 30 derniers jours sur vos actions",
                    c.factures_rejetees,
                ),
            ),
            _invoice_list_url("statut=rejetee"),
        ),
        _line(
            c.factures_en_attente_emission,
            _sentence(
                c.factures_en_attente_emission,
                "Aucune facture n’est en attente d’émission sur vos actions",
                plural(
                    "%(count)d facture est en attente d’émission sur vos actions",
                    "%(count)d factures sont en attente d’émission sur vos actions",
                    c.factures_en_attente_emission,
                ),
            ),
            _invoice_list_url("statut=en_attente_emission"),
        ),
        _line(
            c.factures_suspendues,
            _sentence(
                c.factures_suspendues,
                "Aucune facture n’est actuellement suspendue sur vos actions",
                plural(
                    "%(count)d facture est actuellement suspendue sur vos actions",
                    "%(count)d factures sont actuellement suspendues sur vos actions",
                    c.factures_suspendues,
                ),
            ),
            _invoice_list_url("statut=suspendue"),
        ),
    ]


def my_requests(counts):
    """MES DEMANDES."""
    n = counts.demandes_en_attente
    return [
        _line(
            n,
            _sentence(
                n,
                "Aucune demande de modification en attente.",
                plural(
                    "%(count)d demande de modification est en attente de traitement.",
                    "%(count)d demandes de modification sont en attente de traitement.",
                    n,
                ),
            ),
            _list_url("training:demande_list", "statut=en_attente"),
        )
    ]


def _blocks(organisme, today):
    counts = dashboard_counts(organisme, today)
    return {
        "my_actions": my_actions(counts),
        "all_actions_url": all_actions_url(),
        "follow_up_indicators": follow_up_indicators(counts),
        "my_invoicing": my_invoicing(counts),
        "my_requests": my_requests(counts),
    }


# Freshness and cache safety
#
# Each organisme has a random token in the cache, replaced by a new random one
# once a transaction that changed anything its blocks count commits. The blocks
# are stored with the token they were computed under, and used only while it
# is still the organisme's token. A reader takes the token before it counts:
#  - if a commit replaces the token after that, whatever the reader stores is
#    tagged with a token nobody will ever hold again, however stale it is;
#  - if the token was replaced before that, the reader counts after the commit.
# Replacing the token before the commit would let a reader store pre-commit
# counts under the new token. A lost token (evicted, cache restarted) is
# replaced the same way on the next read: no older entry can match it.

# Bounds how long a change made outside Django (psql, a restored backup) or a
# new release's wording can go unseen.
BLOCKS_TIMEOUT = 60 * 60

_pending = Local()


def home_blocks(organisme, today):
    """The four blocks of an organisme's home page, ready to render: from the
    cache while nothing they count has changed."""
    if connection.in_atomic_block:
        # This transaction may have changed what is counted, and may yet be
        # rolled back: the cache neither hides its changes nor keeps them.
        return _blocks(organisme, today)
    token_key = _token_key(organisme.pk)
    blocks_key = f"dashboard:{_database()}:{organisme.pk}:{today.isoformat()}:{get_language()}"
    # The token and the blocks in one round trip.
    stored = cache.get_many([token_key, blocks_key])
    token = stored.get(token_key)
    if token is None:
        token = cache.get_or_set(token_key, _new_token, timeout=None)
    elif blocks_key in stored and stored[blocks_key][0] == token:
        return stored[blocks_key][1]
    blocks = _blocks(organisme, today)
    cache.set(blocks_key, (token, blocks), BLOCKS_TIMEOUT)
    return blocks


def _database():
    # One cache may serve several databases (a staging copy, the benchmark's sizes).
    return connection.settings_dict["NAME"]


def _token_key(organisme_id):
    return f"dashboard-token:{_database()}:{organisme_id}"


def _new_token():
    return secrets.token_hex(8)


def forget_dashboard(*organisme_ids):
    """The home page of these organismes is counted afresh once the current
    transaction commits (at once outside a transaction); nothing changes if
    it is rolled back."""
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending.update(organisme_ids)
    # A callback that no rollback of the current savepoints can discard, so
    # that one runs at commit whichever savepoints roll back; not one per
    # call (an import saves hundreds of rows). The first to run renews every
    # pending token in one cache write. Ids left by a rolled-back transaction
    # are renewed with the next commit: one needless recount, never a stale
    # page. Robust: a cache that fails here keeps the ids pending, and the
    # commit's other callbacks still run.
    if not _renewal_waiting():
        transaction.on_commit(_renew_pending_tokens, robust=True)


def _renewal_waiting():
    """Whether a renewal already waits for this transaction's commit, registered
    at this savepoint or an enclosing one (Django keeps each callback with the
    savepoints open when it was registered, and drops it if one rolls back)."""
    if not connection.in_atomic_block:
        return False
    open_savepoints = set(connection.savepoint_ids)
    # Each entry: (savepoints, callback, robust); django-stubs knows two of the three.
    return any(entry[1] is _renew_pending_tokens and entry[0] <= open_savepoints for entry in connection.run_on_commit)


def _renew_pending_tokens():
    pending = getattr(_pending, "ids", None)
    if pending:
        cache.set_many({_token_key(organisme_id): _new_token() for organisme_id in pending}, timeout=None)
        pending.clear()


# What each counted model belongs to. Their saves, deletes and versioned saves
# (core.versioning.save_if_unchanged) forget the page through signals
# (training/apps.py); bulk writes and other UPDATEs, which send no signal, call
# forget_dashboard themselves.
ORGANISME_OF = {
    ActionFormation: lambda action: action.organisme_id,
    Inscription: lambda inscription: inscription.action.organisme_id,
    PeriodeDeclaration: lambda periode: periode.action.organisme_id,
    Bilan: lambda bilan: bilan.inscription.action.organisme_id,
    Facture: lambda facture: facture.action.organisme_id,
    DemandeModification: lambda demande: demande.action.organisme_id,
}


def forget_written_dashboard(sender, instance, **kwargs):
    forget_dashboard(ORGANISME_OF[sender](instance))
