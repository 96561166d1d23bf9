"""A broker that is down or hung, as Celery's publishing side meets it.

No Redis is stopped: Celery is pointed at a port nothing listens on (down), or at a socket that
takes connections and never answers (hung, as Redis is under SIGSTOP: the kernel completes
the handshake, nothing replies). The fault tests in ``tests/faults`` stop a real Redis.
"""

import socket
from contextlib import contextmanager

from django.conf import settings

from ombudsman_tracker.celery import app
from tests.conftest import service_missing


def _fresh_pools():
    # Celery keeps its connection and producer pools for the URL it started with.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Celery publishes to ``url`` inside the block; then to the broker in settings again."""
    overridden = app.conf.changes.get("broker_url")
    app.conf.broker_url = url
    _fresh_pools()
    try:
        yield
    finally:
        if overridden is None:
            app.conf.changes.pop("broker_url", None)
        else:
            app.conf.broker_url = overridden
        _fresh_pools()


@contextmanager
def broker_down():
    """A broker URL whose port refuses connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with broker_at(f"redis://127.0.0.1:{port}/0"):
        yield


@contextmanager
def broker_hung():
    """A broker that accepts connections and never answers.

    Only the settings' Redis timeouts end the wait, and they are set when ``REDIS_URL`` is
    (else the broker is a folder): without it, a publish would wait for ever.
    """
    if not settings.REDIS_URL:
        service_missing("REDIS_URL is not set, so the settings hold no Redis timeouts to test")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        with broker_at(f"redis://127.0.0.1:{silent.getsockname()[1]}/0"):
            yield
