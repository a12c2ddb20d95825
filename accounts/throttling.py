"""Per-IP limits against automated attempts on the public pages.

Counters live in Django's cache so that every process of the site shares
them: in production the cache must be Redis (README, Security), where
`add` and `incr` are atomic. A counter is a fixed window: the first hit
creates it with the window as its lifetime, the next ones increment it.

The address is REMOTE_ADDR, read exactly as the audit trail reads it
(audit.context.client_ip_address): behind a proxy the deployment sets it
from the proxy's header, never from a header a client controls. An IPv6
client is counted by its /64 network, since one host commonly holds a
whole /64.
"""

import contextlib
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from audit.context import client_ip_address


@dataclass(frozen=True)
class Rule:
    scope: str
    limit_setting: str

    @property
    def limit(self):
        return getattr(settings, self.limit_setting)

    @property
    def window(self):
        return settings.IP_THROTTLE_WINDOW_SECONDS


# Failed logins, whatever the account.
LOGIN_FAILURES = Rule("login-failures", "LOGIN_FAILURES_PER_IP")
# Requests on the Génération de mot de passe page, the Identifiant oublié page,
# and one-time links presented: each its own counter, with the same limit.
PASSWORD_GENERATION = Rule("password-generation", "ACCOUNT_RECOVERY_REQUESTS_PER_IP")
IDENTIFIANT_REMINDER = Rule("identifiant-reminder", "ACCOUNT_RECOVERY_REQUESTS_PER_IP")
PASSWORD_LINK = Rule("password-link", "ACCOUNT_RECOVERY_REQUESTS_PER_IP")


def client_key(request):
    """The client's address as counted: the IP, or its /64 for IPv6."""
    address = client_ip_address(request)
    if address is None:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _cache_key(rule, request):
    return f"sigma:throttle:{rule.scope}:{client_key(request)}"


def count(rule, request):
    """How many hits this client has in the current window."""
    return cache.get(_cache_key(rule, request), 0)


def hit(rule, request):
    """Count one hit for this client and return its count in the window."""
    key = _cache_key(rule, request)
    if cache.add(key, 1, timeout=rule.window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        # The window ended between add() and incr(): this hit opens a new one.
        cache.add(key, 1, timeout=rule.window)
        return 1


def take(rule: Rule, request: HttpRequest) -> bool:
    """Count this attempt before it is made; whether it is within the limit.
    Parallel attempts each get their own count, so a burst past the limit is
    refused beyond it instead of all passing a check made before any counted."""
    return hit(rule, request) <= rule.limit


def give_back(rule: Rule, request: HttpRequest) -> None:
    """Uncount an attempt taken with take() that turned out not to be one the
    rule counts (a successful login)."""
    # ValueError: its window ended meanwhile, there is nothing to give back.
    with contextlib.suppress(ValueError):
        cache.decr(_cache_key(rule, request))
