"""Espace Région: what a Region agent sees and does."""

from django.shortcuts import render

from accounts.permissions import region_agent_required


@region_agent_required
def search(request):
    """Recherche rapide over organismes and accounts."""
    return render(request, "region/search.html")
