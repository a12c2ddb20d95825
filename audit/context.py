"""Where the current request comes from, for the audit entries its actions write.

Set by AuditContextMiddleware; actions called outside a request (commands,
the worker) leave it empty.
"""

import contextvars
import ipaddress

current_ip_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip_address", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip_address.set(client_ip_address(request))
        try:
            return self.get_response(request)
        finally:
            current_ip_address.reset(token)


def client_ip_address(request):
    """REMOTE_ADDR, the direct peer; behind a proxy, the deployment sets it from
    the proxy's header (see docs), never from a header a client controls.

    None when it is no IP address (a Unix socket's peer, say): the database
    would refuse it, and with it the action the entry records.
    """
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    # An IPv6 zone ("%eth0") means nothing off the host, and inet refuses it.
    return str(address).split("%")[0]
