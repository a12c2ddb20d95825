"""Probes for the load balancer and the orchestrator.

/healthz says the process answers; /readyz that it can serve: database and
cache reachable, no migration left to apply. Both are public and say only
"ok" or "unavailable": what failed goes to the logs, never to the client.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

CACHE_PROBE_KEY = "sigma:readyz"


@login_not_required
@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@never_cache
def readyz(request):
    if all(check() for check in (_database_answers, _cache_answers, _migrations_applied)):
        return HttpResponse("ok", content_type="text/plain")
    return HttpResponse("unavailable", status=503, content_type="text/plain")


def _database_answers():
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("readyz: the database does not answer")
        return False


def _cache_answers():
    # Whatever the backend raises (redis.ConnectionError is no Django error).
    try:
        cache.set(CACHE_PROBE_KEY, "ok", timeout=10)
        kept = cache.get(CACHE_PROBE_KEY) == "ok"
    except Exception:
        logger.exception("readyz: the cache does not answer")
        return False
    if not kept:
        logger.error("readyz: the cache did not keep a value")
    return kept


def _migrations_applied():
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.exception("readyz: cannot read the applied migrations")
        return False
    if pending:
        logger.error("readyz: %d migration(s) not applied", len(pending))
    return not pending
