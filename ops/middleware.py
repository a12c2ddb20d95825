"""The request id and the one log line per request.

The id is set when Django starts handling the request and cleared when the
response is closed (request_started, request_finished), not in the middleware:
Django logs some responses (django.request's "Not Found") after every
middleware has returned, and those lines need the id too.
"""

import logging
import re
import time
import uuid

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from ops.logs import current_request_id

logger = logging.getLogger("sigma.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# What the proxy may hand over: a bounded token of safe characters, nothing a
# log reader or a header could trip on.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+-]{1,128}")
# Load balancer probes: logged at DEBUG level only, so they do not drown the rest.
PROBE_PATHS = {"/healthz", "/readyz"}


@receiver(request_started, dispatch_uid="ops.request_id.start")
def start_request(sender, environ=None, **kwargs):
    incoming = (environ or {}).get("HTTP_X_REQUEST_ID", "")
    current_request_id.set(incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex)


@receiver(request_finished, dispatch_uid="ops.request_id.finish")
def finish_request(sender, **kwargs):
    current_request_id.set("-")


class RequestIdMiddleware:
    """Return the request id in the X-Request-ID header and log the request:
    method, path without its query string, status, duration and user id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = current_request_id.get()
        self._log(request, response, time.perf_counter() - started)
        return response

    @staticmethod
    def _log(request, response, duration):
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        duration_ms = round(duration * 1000)
        logger.log(
            logging.DEBUG if request.path in PROBE_PATHS else logging.INFO,
            "%s %s %s %sms user=%s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            user_id or "-",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )
