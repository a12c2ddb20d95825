"""The organismes' Recherche rapide: their own actions (numéro de BDC,
intitulé), trainees (nom, prénom, identifiant France Travail) and, for the
compte principal, its comptes secondaires, whatever the accents and case
typed (core.text.holding_every_word).

Each group reads its count and its first RESULTS_PER_GROUP matches: a fixed
number of queries, within one organisme's rows, however large the data."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.permissions import Actor, is_organisme_manager, managed_accounts
from core.text import holding_every_word
from training.models import Inscription
from training.permissions import visible_actions, visible_trainees

RESULTS_PER_GROUP = 10


@dataclass(frozen=True)
class Group:
    """The first matches of one kind, and how many there are in all."""

    results: list[Any]
    total: int

    @property
    def is_capped(self) -> bool:
        return self.total > len(self.results)


def _group(queryset: QuerySet[Any]) -> Group:
    return Group(results=list(queryset[:RESULTS_PER_GROUP]), total=queryset.count())


def quick_search(actor: Actor, query: str) -> dict[str, Group]:
    """The groups of matches for `query`, in the order the page shows them;
    "comptes" only for whoever manages accounts (the compte principal)."""
    actions = holding_every_word(visible_actions(actor), query).order_by("-date_debut", "numero_bdc", "pk")
    inscriptions = Inscription.objects.select_related("action").order_by("-action__date_debut", "pk")
    trainees = (
        holding_every_word(visible_trainees(actor), query)
        .prefetch_related(Prefetch("inscriptions", queryset=inscriptions))
        .order_by("nom", "prenom", "pk")
    )
    groups = {"actions": _group(actions), "stagiaires": _group(trainees)}
    if is_organisme_manager(actor):
        accounts = holding_every_word(managed_accounts(actor), query)
        groups["comptes"] = _group(accounts.order_by("last_name", "first_name", "pk"))
    return groups
