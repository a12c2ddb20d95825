"""The queries behind the training pages: filters of the action list and the
"à traiter" conditions the dashboard links to."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.text import holding_every_word
from training.bilans import pending_bilan
from training.models import Bilan, DemandeModification, Inscription, PeriodeDeclaration

BILAN_KINDS = {kind.value for kind in Bilan.Kind}


def pending_condition(kind, today):
    items: QuerySet[Any]
    """The actions having pending items of `kind` (see ActionFilterForm.TO_HANDLE)."""
    if kind == "inscriptions":
        items = Inscription.objects.filter(action=OuterRef("pk"), stagiaire__isnull=True)
    elif kind == "declarations":
        items = PeriodeDeclaration.objects.pending(today).filter(action=OuterRef("pk"))
    elif kind == "demandes":
        items = DemandeModification.objects.filter(action=OuterRef("pk"), status=DemandeModification.Status.EN_ATTENTE)
    elif kind in BILAN_KINDS:
        items = Inscription.objects.filter(action=OuterRef("pk")).filter(pending_bilan(kind, today))
    else:
        raise ValueError(kind)
    return Exists(items)


def filter_actions(actions, *, q="", etat="", programme="", a_traiter="", today):
    # By numéro de BDC or intitulé, every word typed, whatever the accents: as the Recherche rapide.
    actions = holding_every_word(actions, q)
    if etat:
        actions = actions.in_state(etat, today)
    if programme:
        actions = actions.filter(programme=programme)
    if a_traiter:
        actions = actions.filter(pending_condition(a_traiter, today))
    # GROUP BY drops the model's default ordering: restate it for the paginator.
    return (
        actions.select_related("organisme")
        .annotate(enrolled=Count("inscriptions", filter=Q(inscriptions__stagiaire__isnull=False)))
        .order_by("-date_debut", "numero_bdc", "pk")
    )
