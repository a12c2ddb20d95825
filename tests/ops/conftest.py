import io
import json
import logging

import pytest

from ops.logs import json_formatter


class CapturedLogs:
    """What the configured log handler wrote, as the operators would read it."""

    def __init__(self, buffer):
        self._buffer = buffer

    @property
    def text(self):
        return self._buffer.getvalue()

    @property
    def records(self):
        """The JSON lines (production format), parsed."""
        return [json.loads(line) for line in self.text.splitlines() if line.startswith("{")]


@pytest.fixture
def captured_logs():
    """The handler configured in settings.LOGGING, writing to a buffer in the
    production (JSON) format, with the root logger at DEBUG level."""
    handler = logging.getHandlerByName("console")
    buffer = io.StringIO()
    stream = handler.setStream(buffer)
    formatter = handler.formatter
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    yield CapturedLogs(buffer)
    root.setLevel(level)
    handler.setFormatter(formatter)
    handler.setStream(stream)
