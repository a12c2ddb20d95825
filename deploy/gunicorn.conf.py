"""gunicorn settings for sigma: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`
(docs/deploy.md). Values come from the environment, like Django's settings."""

import os
from pathlib import Path

bind = os.environ.get("SIGMA_BIND", "127.0.0.1:8000")
# Synchronous workers, one request at a time each: hashing a password with
# Argon2 is CPU-bound work, so about two per core.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A request taking longer is stuck: the worker is killed and replaced.
timeout = 30
graceful_timeout = 30
# Behind the load balancer, which keeps connections open between requests.
keepalive = 5
# Request lines and headers stay small: nothing in sigma needs more.
limit_request_line = 4094

# Django reads X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER); gunicorn's
# FORWARDED_ALLOW_IPS only decides which peers may set it for WSGI.

# No access log: sigma logs each request itself (ops/middleware.py), with its
# request id and the one-time link tokens redacted, which gunicorn's would not.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def _metrics_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    """Start the workers' metrics afresh: files left by a previous run would be
    added to this one's."""
    if _metrics_dir():
        directory = Path(_metrics_dir())
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in directory.glob("*.db"):
            leftover.unlink()


def child_exit(server, worker):
    """Drop the live gauges of a worker that exited; its counters stay counted."""
    if _metrics_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
