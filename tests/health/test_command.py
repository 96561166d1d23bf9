"""``manage.py health``, as Docker's health checks run it in each container: exit 0 when that
part of the service is healthy, 1 when not."""

import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from health.heartbeats import SCHEDULER, heartbeat_record, worker_heartbeat_name
from tests.conftest import service_missing
from tests.health.conftest import everything_beating

ROOT = Path(__file__).resolve().parents[2]


def _health(*arguments, env=None):
    """Runs the command as Docker does, in a process of its own."""
    return subprocess.run(
        [sys.executable, "manage.py", "health", *arguments],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_live_exits_0():
    result = _health("live")

    assert (result.returncode, result.stdout) == (0, "live: ok\n")


@pytest.mark.django_db
def test_a_worker_with_no_heartbeat_exits_1():
    if connection.vendor != "postgresql":
        service_missing("a second process reaches the tests' database only on PostgreSQL")
    database = connection.settings_dict
    result = _health(
        "worker",
        env={
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
                f"{database['PORT']}/{database['NAME']}"
            )
        },
    )

    assert result.returncode == 1
    assert result.stdout == "database: ok\nworker: failing\n"
    assert "Not healthy: worker failing" in result.stderr


@pytest.mark.django_db
def test_worker_passes_on_its_own_hosts_heartbeat_only():
    heartbeat_record(worker_heartbeat_name("another-host"))

    with pytest.raises(CommandError, match="worker failing"):
        call_command("health", "worker")

    heartbeat_record(worker_heartbeat_name(socket.gethostname()))
    call_command("health", "worker")


@pytest.mark.django_db
def test_scheduler_passes_on_a_heartbeat_younger_than_a_minute(capsys):
    heartbeat_record(SCHEDULER)
    call_command("health", "scheduler")

    assert capsys.readouterr().out == "database: ok\nscheduler: ok\n"

    heartbeat_record(SCHEDULER, at=timezone.now() - timedelta(seconds=61))
    with pytest.raises(CommandError, match="scheduler failing"):
        call_command("health", "scheduler")


@pytest.mark.django_db
def test_ready_passes_with_every_check_and_names_the_failing_ones(capsys):
    everything_beating()
    call_command("health")

    assert capsys.readouterr().out == (
        "database: ok\nbroker: ok\nscheduler: ok\ndispatcher: ok\nworker: ok\n"
    )

    everything_beating(ages={"worker:worker-host": timedelta(minutes=2)})
    with pytest.raises(CommandError, match="Not healthy: worker failing"):
        call_command("health", "ready")

    assert "worker: failing\n" in capsys.readouterr().out
