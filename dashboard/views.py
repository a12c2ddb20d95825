"""The home page: an organisme's pending work (training/dashboard.py), and
where the person offered an organisme's primary role answers
the proposal and its author may withdraw it."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts import handover, sign_in
from accounts.permissions import (
    get_pending_proposal_for,
    get_proposal_made_by_or_404,
    get_proposal_made_to_or_404,
    is_region_agent,
)
from dashboard.forms import QuickSearchForm
from dashboard.region import region_home_blocks
from training.dashboard import home_blocks
from training.permissions import organisme_account_required
from training.search import RESULTS_PER_GROUP, quick_search


def home(request):
    organisme = request.user.organisme
    context = {"organisme": organisme, "handover_proposal": get_pending_proposal_for(request.user)}
    # The blocks speak of "vos actions": an organisme's accounts get them, Region agents their own space.
    if organisme is not None:
        context.update(home_blocks(organisme, timezone.localdate()))
    elif request.user.is_region_agent:
        context.update(region_home_blocks())
    return render(request, "dashboard/home.html", context)


def search(request):
    """Recherche rapide, the header's box. A Région agent searches organismes
    and accounts in the Espace Région: the same words take it there."""
    if is_region_agent(request.user):
        return redirect(f"{reverse('region:search')}?{urlencode({'q': request.GET.get('q', '')})}")
    return _organisme_search(request)


@organisme_account_required
def _organisme_search(request):
    form = QuickSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context = {"form": form, "query": query, "per_group": RESULTS_PER_GROUP}
    if query:
        context["groups"] = quick_search(request.user, query)
    return render(request, "dashboard/search.html", context)


@require_POST
def handover_accept(request, pk):
    proposal = get_proposal_made_to_or_404(request.user, pk)
    try:
        new_primary = handover.accept_handover(
            proposal, acting_account=request.user, current_session=sign_in.current_session(request)
        )
    except handover.HandoverRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("dashboard:home")
    # The handover ends both accounts' other sessions; the one that accepted
    # goes on, under a new session key, as after a password change.
    update_session_auth_hash(request, new_primary)
    messages.success(request, handover.handed_over_message(proposal.organisme, new_primary))
    return redirect("dashboard:home")


@require_POST
def handover_decline(request, pk):
    proposal = get_proposal_made_to_or_404(request.user, pk)
    try:
        handover.cancel_handover(proposal, acting_account=request.user)
    except handover.HandoverRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            "Vous avez refusé la proposition de %(name)s. Un courriel a été envoyé à %(name)s pour l’en informer."
            % {"name": proposal.proposed_by.civil_name},
        )
    return redirect("dashboard:home")


@require_POST
def handover_cancel(request, pk):
    proposal = get_proposal_made_by_or_404(request.user, pk)
    try:
        handover.cancel_handover(proposal, acting_account=request.user)
    except handover.HandoverRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, handover.withdrawn_message(proposal))
    return redirect("dashboard:home")
