"""Espace Région > Courriels : e-mails the worker could not deliver, and Renvoyer."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import region_agent_required
from core.pagination import page_of
from outbox import delivery
from outbox.models import OutgoingEmail

PAGE_SIZE = 20


@region_agent_required
def failed_emails(request):
    failed = OutgoingEmail.objects.filter(
        status__in=[OutgoingEmail.Status.FAILED, OutgoingEmail.Status.CANCELLED]
    ).select_related("account__organisme")
    context = {
        "page": page_of(request, failed, per_page=PAGE_SIZE),
        "waiting_count": OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).count(),
    }
    return render(request, "outbox/failed_emails.html", context)


@require_POST
@region_agent_required
def resend(request, pk):
    email = get_object_or_404(OutgoingEmail, pk=pk)
    if delivery.resend(email, acting_account=request.user):
        messages.success(request, "Le courriel « %(subject)s » à %(to)s va être renvoyé." % _named(email))
    else:
        messages.info(request, "Le courriel « %(subject)s » à %(to)s n’est plus en échec." % _named(email))
    return redirect("outbox:failed_emails")


def _named(email):
    return {"subject": email.subject, "to": email.to}
