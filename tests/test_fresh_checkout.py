"""An operator's first start: beat and a worker start from a fresh checkout with Redis set.

Beat keeps its schedule under ``var/celery/``, which a fresh checkout does not have; it used
to exit at start-up unless the filesystem broker (the demo's) had made the folder.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from health.models import Heartbeat
from tests.conftest import shared_database_url

ROOT = Path(__file__).resolve().parent.parent

# Serialized rollback keeps the data migrations' rows (roles, ombudsmen) for the tests after.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fresh_checkout(destination: Path) -> Path:
    """The project's files as git would check them out (tracked and new), without var/."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith("var/") or not source.is_file():
            continue
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert not (destination / "var").exists()
    return destination


def _runs_for(argv, *, cwd: Path, env: dict, seconds: float, ready: str) -> str:
    """Start a Celery program, wait until its log says ``ready`` (failing if it exits first),
    check it is still running a moment later, stop it; returns its log."""
    log_path = cwd / f"{argv[5]}.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + seconds
        while ready not in log_path.read_text():
            if process.poll() is not None:
                pytest.fail(f"{argv[5]} exited with {process.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{argv[5]} never said {ready!r}:\n{log_path.read_text()}")
            time.sleep(0.2)
        time.sleep(1)
        assert process.poll() is None, log_path.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return log_path.read_text()


def test_beat_and_a_worker_start_from_a_fresh_checkout_with_redis_set(redis_url, tmp_path):
    checkout = _fresh_checkout(tmp_path / "checkout")
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": "tests-only-not-a-secret",
        "DEBUG": "false",
    }
    env.pop("CELERY_BROKER_URL", None)
    celery = [sys.executable, "-m", "celery", "-A", "ombudsman_tracker"]

    _runs_for(
        [*celery, "beat", "--loglevel=INFO"],
        cwd=checkout,
        env=env,
        seconds=30,
        ready="beat: Starting",
    )
    assert any((checkout / "var" / "celery").glob("beat-schedule*"))
    assert Heartbeat.objects.filter(name="scheduler").exists(), "beat never said it was alive"
    _runs_for(
        [*celery, "worker", "--loglevel=INFO", "--pool=solo", "--queues=fresh-checkout"],
        cwd=checkout,
        env=env,
        seconds=60,
        ready="ready.",
    )
