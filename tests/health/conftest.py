"""Servers that are down or hung, for the health checks to meet.

A closed port refuses at once, as a stopped Redis or PostgreSQL does. A hung server is a socket
that listens and never answers: the kernel completes each connection, as it does for a server
frozen with SIGSTOP, and nothing replies.
"""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from health.heartbeats import (
    SCHEDULER,
    SCHEDULER_START,
    heartbeat_record,
    worker_heartbeat_name,
)


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hung_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def everything_beating(*, at=None, ages=None):
    """Every heartbeat /health/ready reads, recorded fresh (or ``ages[name]`` ago): beat, its
    start ten minutes ago, both dispatchers and one worker."""
    now = at or timezone.now()
    beats = {
        SCHEDULER: timedelta(0),
        SCHEDULER_START: timedelta(minutes=10),
        "outbox.sweep": timedelta(0),
        "reminders.dispatch": timedelta(0),
        worker_heartbeat_name("worker-host"): timedelta(0),
        **(ages or {}),
    }
    for name, age in beats.items():
        heartbeat_record(name, at=now - age)
