"""/health/ready as an operator's monitoring sees it while Redis, a worker or beat fails for real.

The worker and beat are real processes: their first heartbeats are theirs. A dead process
writes no more, and its heartbeat is stale a minute later; rather than wait that minute, the
test ages the heartbeat it left.
"""

import json
import socket
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from health.checks import CHECKS
from health.heartbeats import SCHEDULER, WORKER_EVERY, worker_heartbeat_name
from health.models import Heartbeat
from tests.faults.conftest import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ALL_OK = dict.fromkeys(CHECKS, "ok")
# Under twice a worker's period: a dead worker or beat is seen within two minutes at most.
A_MINUTE_AND_MORE = 2 * WORKER_EVERY + timedelta(seconds=5)
# Each probe's bound (health.checks.PROBE_SECONDS, 3 s) and the page's own time.
QUICKLY = 4.0


class Monitoring:
    """Asks /health/ready and /health/live as a load balancer does, counting what it gets."""

    def __init__(self):
        self.client = Client(raise_request_exception=False)
        self.requests = self.errors = 0

    def ask(self, path="/health/ready"):
        started = time.monotonic()
        response = self.client.get(path)
        seconds = time.monotonic() - started
        self.requests += 1
        self.errors += response.status_code >= 500 and response.status_code != 503
        return response.status_code, json.loads(response.content).get("checks"), seconds


def _aged(name: str) -> None:
    """As if ``name`` last beat over a minute ago."""
    Heartbeat.objects.filter(name=name).update(at=timezone.now() - A_MINUTE_AND_MORE)


def _first_heartbeats() -> bool:
    """the worker's and beat's first heartbeats"""
    names = [worker_heartbeat_name(socket.gethostname()), SCHEDULER]
    return Heartbeat.objects.filter(name__in=names).count() == 2


def test_monitoring_sees_redis_stopped_or_frozen_and_a_dead_worker_or_beat_quickly(
    own_redis, worker_and_beat, figures
):
    worker, beat = worker_and_beat
    monitoring = Monitoring()
    wait_until(_first_heartbeats, timeout=30)
    assert monitoring.ask()[:2] == (200, ALL_OK)

    own_redis.stop()
    stopped = monitoring.ask()
    own_redis.start()
    restarted = monitoring.ask()

    own_redis.freeze()
    frozen = monitoring.ask()
    live = monitoring.ask("/health/live")
    own_redis.thaw()
    thawed = monitoring.ask()

    worker.kill()
    _aged(worker_heartbeat_name(socket.gethostname()))
    without_worker = monitoring.ask()
    beat.kill()
    _aged(SCHEDULER)
    without_beat = monitoring.ask()

    for fault, (status, _, seconds) in [
        ("redis-stopped", stopped),
        ("redis-frozen", frozen),
        ("worker-killed", without_worker),
        ("beat-killed", without_beat),
    ]:
        figures(f"health/{fault}", status=status, seconds=seconds)
    figures("health", requests=monitoring.requests, errors=monitoring.errors)

    assert stopped[:2] == (503, ALL_OK | {"broker": "failing"})
    assert restarted[:2] == (200, ALL_OK)
    assert frozen[:2] == (503, ALL_OK | {"broker": "failing"})
    assert live[0] == 200
    assert live[2] < 1
    assert thawed[:2] == (200, ALL_OK)
    assert without_worker[:2] == (503, ALL_OK | {"worker": "failing"})
    assert without_beat[:2] == (503, ALL_OK | {"worker": "failing", "scheduler": "failing"})
    assert max(seconds for *_, seconds in (stopped, frozen, without_worker, without_beat)) < QUICKLY
    assert monitoring.errors == 0
