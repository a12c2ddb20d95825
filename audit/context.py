"""Where the current request comes from, for the audit entries its actions write.

Set by AuditContextMiddleware; actions called outside a request (commands,
the worker) leave it empty.
"""

import contextvars

current_ip_address = contextvars.ContextVar("current_ip_address", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR is the direct peer; behind a proxy, the deployment sets it
        # from the proxy's header (see docs), never from a header a client controls.
        token = current_ip_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            current_ip_address.reset(token)
