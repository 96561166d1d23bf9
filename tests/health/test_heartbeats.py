"""Beat and the workers say they are alive through the code that runs in production: the
worker's bootstep on a real in-thread worker, and beat's scheduler ticking. Neither stops
when the database fails to take a heartbeat."""

import json
import logging
import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from health.bootsteps import WorkerHeartbeat
from health.heartbeats import SCHEDULER, SCHEDULER_START, worker_heartbeat_name
from health.models import Heartbeat
from health.scheduler import HeartbeatScheduler
from ombudsman_tracker.celery import app
from tests.conftest import service_missing
from tests.reminders.worker import running_worker

# Heartbeats are written on connections of their own, and committed; serialized rollback keeps
# the data migrations' rows for the tests after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scheduler(tmp_path):
    beat = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "beat-schedule"))
    yield beat
    beat.close()


@pytest.fixture
def database_down(monkeypatch, closed_port):
    """Connections opened from now on in this thread find nothing at the database's port."""
    if connection.vendor != "postgresql":
        service_missing("the database's port is PostgreSQL's")
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port))
    yield monkeypatch
    monkeypatch.undo()


def _beats():
    return dict(Heartbeat.objects.values_list("name", "at"))


@pytest.mark.redis
def test_a_started_worker_and_a_ticking_beat_make_the_service_ready(redis_url, scheduler):
    """A fresh deployment: neither dispatcher has run yet, and beat has only just started."""
    scheduler.tick()
    with running_worker():
        response = Client().get("/health/ready")

    worker = worker_heartbeat_name(socket.gethostname())
    assert set(_beats()) == {SCHEDULER, SCHEDULER_START, worker}
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "ok"


def test_beat_records_its_heartbeat_at_most_every_fifteen_seconds(scheduler):
    scheduler.tick()
    first = _beats()[SCHEDULER]
    scheduler.tick()

    assert _beats()[SCHEDULER] == first

    scheduler.heartbeat_tried_at -= 15
    scheduler.tick()

    assert _beats()[SCHEDULER] > first


def test_beat_records_its_start_once(scheduler):
    scheduler.tick()
    started = _beats()[SCHEDULER_START]
    scheduler.heartbeat_tried_at -= 15
    scheduler.tick()

    assert _beats()[SCHEDULER_START] == started


def test_beat_keeps_ticking_while_the_database_is_down(scheduler, database_down, caplog):
    with caplog.at_level(logging.WARNING, logger="health.heartbeats"):
        interval = scheduler.tick()
    database_down.undo()

    assert 0 < interval <= 30
    assert caplog.messages == [
        "Could not record the heartbeat 'scheduler.start'",
        "Could not record the heartbeat 'scheduler'",
    ]
    assert _beats() == {}

    scheduler.heartbeat_tried_at -= 15
    scheduler.tick()

    assert set(_beats()) == {SCHEDULER, SCHEDULER_START}


def test_a_worker_keeps_running_while_the_database_is_down(database_down, caplog):
    step = WorkerHeartbeat(None)

    with caplog.at_level(logging.WARNING, logger="health.heartbeats"):
        step.beat()
    database_down.undo()

    assert caplog.messages == [f"Could not record the heartbeat 'worker:{socket.gethostname()}'"]

    step.beat()

    assert _beats()[f"worker:{socket.gethostname()}"] > timezone.now() - timedelta(seconds=5)
