"""Recherche rapide: organismes and accounts whose search text holds every
word typed, whatever their accents and case."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.permissions import managed_accounts, managed_organismes
from core.text import holding_every_word


def find_organismes(actor, query):
    """By raison sociale, enseigne or SIRET; the most recent first when nothing is typed."""
    # A subquery rather than a join and GROUP BY: counting the results then
    # leaves it out, and it runs for the page's 20 organismes only.
    live_accounts = (
        User.objects.alive().filter(organisme=OuterRef("pk")).order_by().values("organisme").annotate(count=Count("pk"))
    )
    organismes = managed_organismes(actor).annotate(account_count=Coalesce(Subquery(live_accounts.values("count")), 0))
    if not query.strip():
        return organismes.order_by("-created_at", "-pk")
    return holding_every_word(organismes, query).order_by("raison_sociale", "pk")


def find_accounts(actor, query):
    """By identifiant, nom d'usage, prénom or courriel."""
    accounts = managed_accounts(actor).select_related("organisme")
    return holding_every_word(accounts, query).order_by("last_name", "first_name", "pk")
