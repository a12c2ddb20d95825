from django.contrib import messages
from django.shortcuts import redirect, render

from access_reviews import services
from access_reviews.models import AccessReview
from accounts.permissions import primary_account_required, region_agent_required
from core.pagination import page_of


@primary_account_required
def review(request):
    """Gestion organisme > Revue des comptes."""
    organisme = request.user.organisme
    if request.method == "POST":
        services.confirm_review(organisme, acting_account=request.user)
        messages.success(request, "Merci : la liste des comptes de votre organisme est confirmée.")
        return redirect("access_reviews:review")
    context = {
        "organisme": organisme,
        "accounts": services.accounts_to_review(organisme),
        "last_review": AccessReview.objects.filter(organisme=organisme).select_related("reviewed_by").first(),
    }
    return render(request, "access_reviews/review.html", context)


@region_agent_required
def overdue_reviews(request):
    """Espace Région > Revues en retard: organismes that have not reviewed."""
    due = services.organismes_due_for_review()
    return render(request, "access_reviews/overdue.html", {"page": page_of(request, due)})
