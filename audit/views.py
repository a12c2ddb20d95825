"""Historique: the audit trail, for a primary account (its organisme's) and for
the Region (everything, with a CSV export)."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.models import User
from accounts.permissions import primary_account_required, region_agent_required
from audit.forms import HistoryFilterForm, RegionHistoryFilterForm
from audit.models import AuditEntry
from core.csv_files import csv_response

PAGE_SIZE = 50
CSV_DATE_FORMAT = "%d/%m/%Y %H:%M:%S"


def _history_page(request, template, form, entries, context):
    # A wrong filter shows its error and no events, rather than unfiltered ones.
    page = None
    if form.is_valid():
        page = Paginator(form.filter(entries), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"form": form, "page": page, **context})


@primary_account_required
@require_safe
def organisme_history(request):
    """Gestion organisme > Historique: the organisme's trail, and nothing else."""
    organisme_id = request.user.organisme_id
    form = HistoryFilterForm(request.GET, accounts=User.objects.filter(organisme_id=organisme_id))
    entries = AuditEntry.objects.filter(organisme_id=organisme_id)
    return _history_page(request, "audit/organisme_history.html", form, entries, {"organisme": request.user.organisme})


@region_agent_required
@require_safe
def region_history(request):
    form = RegionHistoryFilterForm(request.GET)
    entries = AuditEntry.objects.select_related("organisme")
    return _history_page(request, "audit/region_history.html", form, entries, {})


CSV_HEADER = ("Date", "Événement", "Auteur", "Type d’auteur", "Compte", "Organisme", "Détails", "Adresse IP")


def _csv_rows(entries):
    for entry in entries.iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.at).strftime(CSV_DATE_FORMAT),
            entry.get_action_display(),
            entry.actor_display,
            entry.actor_kind_display,
            entry.account_name,
            entry.organisme.raison_sociale if entry.organisme else "",
            " ; ".join(entry.details),
            entry.ip_address or "",
        ]


@region_agent_required
@require_safe
def region_history_csv(request):
    """The Region's history with the same filters, streamed so that its size does not matter."""
    form = RegionHistoryFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('audit:region_history')}?{request.GET.urlencode()}")
    entries = form.filter(AuditEntry.objects.select_related("organisme"))
    return csv_response(CSV_HEADER, _csv_rows(entries), filename=f"historique-sigma-{timezone.localdate():%Y%m%d}.csv")
