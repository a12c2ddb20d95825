"""sigma's own Prometheus metrics, beside django-prometheus's request counts
and latencies, and the /metrics page that serves them all.

Under gunicorn with several workers, prometheus_client's multiprocess mode
(PROMETHEUS_MULTIPROC_DIR, see docs/deploy.md) adds up every worker's counters.
"""

import logging
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from outbox.models import OutgoingEmail

logger = logging.getLogger(__name__)

# "blocked": the account was blocked before this attempt.
LOGIN_OUTCOMES = ("success", "wrong_password", "blocked", "inactive", "unknown_identifiant")
LOGINS = Counter("sigma_logins", "Login attempts, by outcome.", ["outcome"])
# Every outcome from the start, at 0, so that rates over them are defined.
for _outcome in LOGIN_OUTCOMES:
    LOGINS.labels(outcome=_outcome)
ACCOUNTS_BLOCKED = Counter("sigma_accounts_blocked", "Accounts blocked after too many wrong passwords.")


def count_login(outcome):
    LOGINS.labels(outcome=outcome).inc()


def count_account_blocked():
    ACCOUNTS_BLOCKED.inc()


class OutgoingEmailCollector:
    """E-mails in the outbox by status, counted in the database at scrape time,
    so every worker and web process reports the same figures."""

    @staticmethod
    def _gauge():
        return GaugeMetricFamily("sigma_outgoing_emails", "E-mails in the outbox, by status.", labels=["status"])

    def describe(self):
        # Registering a collector without describe() would collect at once,
        # querying the database while the apps load.
        return [self._gauge()]

    def collect(self):
        gauge = self._gauge()
        # Every status, so that a status with no e-mail reads 0 rather than vanishing.
        counts = dict.fromkeys(OutgoingEmail.Status.values, 0)
        try:
            counts |= dict(OutgoingEmail.objects.order_by().values_list("status").annotate(Count("pk")))
        except DatabaseError:
            # The metrics page still serves the rest while the database is away.
            logger.exception("metrics: cannot count the outbox")
            return
        for status, count in sorted(counts.items()):
            gauge.add_metric([status], count)
        yield gauge


def _multiprocess_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def register_collectors():
    """Called once per process (OpsConfig.ready). In multiprocess mode each
    scrape builds its own registry instead (scrape_registry)."""
    if not _multiprocess_dir():
        REGISTRY.register(OutgoingEmailCollector())


def scrape_registry():
    if not _multiprocess_dir():
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(OutgoingEmailCollector())
    return registry


def _bearer_token(request):
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@login_not_required
@never_cache
def metrics(request):
    """Only for a scraper holding METRICS_TOKEN; anyone else finds no page here."""
    token = _bearer_token(request)
    if not settings.METRICS_TOKEN or not token or not constant_time_compare(token, settings.METRICS_TOKEN):
        raise Http404
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
