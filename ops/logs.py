"""Log records as the operators read them: each carries the id of the request
it belongs to, and no secret reaches a handler.

Configured in config/settings.py (LOGGING): JSON lines in production, plain
text otherwise. The filters sit on the handler, so they see the records of
every logger, Django's included.
"""

import contextvars
import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

# "-" outside a request (commands, the worker, start-up).
current_request_id = contextvars.ContextVar("current_request_id", default="-")

# One-time password links are /acces/<token>/ (accounts/urls.py): whoever reads
# the logs must not be able to use one.
ONE_TIME_LINK = re.compile(r"(/acces/)[^/\s?#'\"]+")
REDACTED = r"\1[redacted]"


def redact(text):
    return ONE_TIME_LINK.sub(REDACTED, text)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


class RedactSecretsFilter(logging.Filter):
    """Replace one-time link tokens in the message, the extra fields and the
    traceback.

    The message is rendered here, once, so that its arguments (a request path,
    say) are redacted too."""

    def filter(self, record):
        record.msg = record.getMessage()
        record.args = None
        record.__dict__.update({name: redact(value) for name, value in vars(record).items() if isinstance(value, str)})
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def json_formatter():
    """One JSON object per line. Django's `request` extra is left out: its
    repr holds the full path with its query string."""
    return JsonFormatter(
        "{levelname}{name}{message}{request_id}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        # ISO 8601 in UTC, whatever the servers' time zone.
        timestamp="time",
        reserved_attrs=[*RESERVED_ATTRS, "request"],
    )
