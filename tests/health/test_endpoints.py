"""/health/live and /health/ready, as Docker, a load balancer or an operator's monitoring asks
them: no sign-in, plain HTTP from inside the container, an answer within a few seconds whatever
is down or hung, and nothing in it but each check's name and state."""

import json
import socket
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from health.checks import CHECKS, probes_pass
from health.heartbeats import SCHEDULER, SCHEDULER_START, heartbeat_record
from health.models import Heartbeat
from ombudsman_tracker.celery import app
from tests.conftest import service_missing
from tests.health.conftest import everything_beating

ALL_OK = dict.fromkeys(CHECKS, "ok")


def _ready(client=None):
    started = time.monotonic()
    response = (client or Client()).get("/health/ready")
    return response, time.monotonic() - started


def _checks(response):
    body = json.loads(response.content)
    assert set(body) == {"status", "checks"}
    return body["checks"]


@pytest.fixture
def celery_conf():
    """Override Celery settings for one test and undo it: popping the override from
    ``app.conf.changes`` (where Celery keeps them), never writing the old value back, which
    would pin it over the settings of every later test."""
    overridden = {}

    def override(key, value):
        if key not in overridden:
            overridden[key] = (key in app.conf.changes, app.conf.changes.get(key))
        app.conf[key] = value
        app._pool = None

    yield override
    for key, (had, old) in overridden.items():
        if had:
            app.conf.changes[key] = old
        else:
            app.conf.changes.pop(key, None)
    app._pool = None


@pytest.fixture
def broker_at(celery_conf):
    def point(port):
        celery_conf("broker_url", f"redis://127.0.0.1:{port}/0")

    return point


@pytest.fixture
def database_at(monkeypatch):
    """The database's address, for the connections opened from now on (the test's own is
    open already, in its transaction)."""
    default = connections.settings["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        service_missing("the database's port is PostgreSQL's")

    def point(port):
        monkeypatch.setitem(default, "HOST", "127.0.0.1")
        monkeypatch.setitem(default, "PORT", str(port))

    return point


# --- Live ------------------------------------------------------------------------------------


def test_live_says_ok_without_touching_the_database(client):
    """No ``db`` fixture: a query would raise."""
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok"}


def test_health_is_never_stored_and_sets_no_cookie(client, db):
    for path in ("/health/live", "/health/ready"):
        response = client.get(path)

        assert set(response["Cache-Control"].split(", ")) == {
            "max-age=0",
            "no-cache",
            "no-store",
            "must-revalidate",
            "private",
        }
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.cookies == {}


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_docker_asks_over_plain_http_by_address_in_production(settings, db, path):
    """Production redirects plain HTTP to HTTPS and refuses hosts it does not serve; Docker's
    check asks http://127.0.0.1:8000 from inside the container, and gets its answer."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["tracker.example.org"]
    client = Client(HTTP_HOST="127.0.0.1:8000")

    assert client.get("/accounts/login/").status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST="tracker.example.org").status_code == 301
    assert client.get(path).status_code in {200, 503}


def test_only_the_exact_paths_bypass_the_rest_of_the_site(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    for path in ("/health/live/", "/health/ready/", "/health/", "/health/livex"):
        assert client.get(path).status_code == 301, path


def test_health_answers_reading_only(client, db):
    for path in ("/health/live", "/health/ready"):
        assert client.post(path).status_code == 405
        assert client.head(path).status_code in {200, 503}


# --- Ready: each dependency -------------------------------------------------------------------


def test_ready_when_everything_is_up(client, db):
    everything_beating()

    response, _ = _ready(client)

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": ALL_OK}


def test_database_down_fails_it_and_every_heartbeat_kept_in_it(db, database_at, closed_port):
    everything_beating()
    database_at(closed_port)

    response, seconds = _ready()

    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "failing"
    assert {name for name, state in _checks(response).items() if state == "failing"} == {
        "database",
        "scheduler",
        "dispatcher",
        "worker",
    }
    assert seconds < 2


def test_database_hung_is_failing_within_a_few_seconds(db, database_at, hung_port):
    everything_beating()
    database_at(hung_port)

    response, seconds = _ready()

    assert response.status_code == 503
    assert _checks(response)["database"] == "failing"
    assert seconds < 4


def test_broker_down_fails_only_the_broker(db, broker_at, closed_port):
    everything_beating()
    broker_at(closed_port)

    response, seconds = _ready()

    assert response.status_code == 503
    assert _checks(response) == {**ALL_OK, "broker": "failing"}
    assert seconds < 2


def test_broker_hung_is_failing_within_a_few_seconds(db, broker_at, hung_port):
    everything_beating()
    broker_at(hung_port)

    response, seconds = _ready()

    assert response.status_code == 503
    assert _checks(response) == {**ALL_OK, "broker": "failing"}
    assert seconds < 4


def test_the_demos_filesystem_broker_is_ready_while_its_folder_takes_files(celery_conf, tmp_path):
    celery_conf("broker_url", "filesystem://")
    folders = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    celery_conf("broker_transport_options", folders)

    assert probes_pass(["broker"]) == {"broker": True}
    assert list(tmp_path.iterdir()) == []

    folders["data_folder_out"] = str(tmp_path / "removed")

    assert probes_pass(["broker"]) == {"broker": False}


def test_everything_hung_at_once_still_answers_within_a_few_seconds(
    db, database_at, broker_at, hung_port
):
    database_at(hung_port)
    broker_at(hung_port)

    response, seconds = _ready()

    assert response.status_code == 503
    assert set(_checks(response).values()) == {"failing"}
    assert seconds < 4


# --- Ready: what beat, the dispatchers and the workers last said -------------------------------


@pytest.mark.parametrize(
    ("stale", "check"),
    [
        (SCHEDULER, "scheduler"),
        ("outbox.sweep", "dispatcher"),
        ("reminders.dispatch", "dispatcher"),
        ("worker:worker-host", "worker"),
    ],
)
def test_a_stale_heartbeat_fails_its_check(db, stale, check):
    """Twice the period: beat ticks at least every 30 s, the sweep every minute, the reminders'
    dispatch every hour, each worker beats every 30 s."""
    older_than_twice = {
        SCHEDULER: timedelta(seconds=61),
        "outbox.sweep": timedelta(seconds=121),
        "reminders.dispatch": timedelta(hours=2, seconds=1),
        "worker:worker-host": timedelta(seconds=61),
    }
    everything_beating(ages={SCHEDULER_START: timedelta(hours=3), stale: older_than_twice[stale]})

    response, _ = _ready()

    assert response.status_code == 503
    assert _checks(response) == {**ALL_OK, check: "failing"}


def test_one_live_worker_of_several_is_enough(db):
    everything_beating(ages={"worker:worker-host": timedelta(minutes=5)})
    heartbeat_record("worker:another-host")

    response, _ = _ready()

    assert _checks(response)["worker"] == "ok"


def test_dispatchers_that_have_not_run_yet_are_fine_until_beat_has_been_up_two_periods(db):
    """A fresh deployment: beat started 50 minutes ago, the sweep runs, and the hourly reminders'
    dispatch has not run yet (its minute may not have come)."""
    now = timezone.now()
    everything_beating(ages={SCHEDULER_START: timedelta(minutes=50)})
    Heartbeat.objects.filter(name="reminders.dispatch").delete()

    assert _checks(_ready()[0])["dispatcher"] == "ok"

    Heartbeat.objects.filter(name=SCHEDULER_START).update(at=now - timedelta(hours=2, minutes=1))

    assert _checks(_ready()[0])["dispatcher"] == "failing"


# --- Ready: nothing that helps an attacker ------------------------------------------------------


def test_the_answer_names_each_check_and_its_state_only(db, database_at, broker_at, closed_port):
    database_at(closed_port)
    broker_at(closed_port)

    response, _ = _ready()
    text = response.content.decode()

    assert json.loads(text) == {"status": "failing", "checks": dict.fromkeys(CHECKS, "failing")}
    for detail in (socket.gethostname(), "127.0.0.1", str(closed_port), "redis", "refused"):
        assert detail not in text
