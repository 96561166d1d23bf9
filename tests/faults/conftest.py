"""An operator's bad day, made for real: the tests' own Redis server, a real worker, a mail server.

``own_redis`` is a Redis server the tests start on a free port (never the shared one at
``REDIS_URL``), with the app pointed at it; a test stops, restarts, freezes (SIGSTOP) and thaws
it. ``worker`` is a real ``celery worker`` (prefork, two processes) in its own process group, on
the test database, sending mail to ``mail_server``, an SMTP server in the test process;
``worker_and_beat`` adds a real ``celery beat``. A failed test's report carries their logs.
``figures`` records one line per fault; they are printed at the end of the run, so CI's log
shows them whether the tests pass or fail.

The tests use ``django_db(transaction=True)``: the worker, on its own connections, sees only
what the test has committed.
"""

import email
import email.policy
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from ombudsman_tracker.celery import app
from tests.conftest import service_missing, shared_database_url

REDIS_SERVER = "/usr/bin/redis-server"
PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.1) -> float:
    """Poll ``condition`` until it is true; the seconds it took. Fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"Still waiting after {timeout} s for {condition.__doc__}")
        time.sleep(interval)
    return time.monotonic() - started


class CountingClient(Client):
    """The test client as a user's browser: a server error is answered (500), not raised, and
    each request is counted and timed (``response.seconds``)."""

    def __init__(self):
        super().__init__(raise_request_exception=False)
        self.requests = self.errors = 0

    def request(self, **request):
        started = time.monotonic()
        response = super().request(**request)
        response.seconds = time.monotonic() - started
        self.requests += 1
        self.errors += response.status_code == 500
        return response


# --- Redis ----------------------------------------------------------------------------------


class RedisServer:
    """A Redis server that keeps nothing on disk, so a restart starts it empty."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def answers(self) -> bool:
        """the Redis server to answer PING"""
        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return client.ping()
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=10)

    def drained(self) -> bool:
        """every queued message to be taken by a worker and acknowledged"""
        client = redis.Redis(port=self.port, socket_timeout=2)
        try:
            # kombu's Redis transport: a list per queue, a hash of messages taken, not acked.
            return client.llen("celery") == 0 and client.hlen("unacked") == 0
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.thaw()  # a stopped process never reads the SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """Hang the server as a stuck host would: connections open, nothing answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)


def _celery_connections_reset() -> None:
    """Forget the broker connections the app keeps, so the next publish connects anew."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis(settings, tmp_path):
    """The tests' own Redis server, running, with the app's broker and cache pointed at it.

    The settings' Redis timeouts are read when ``REDIS_URL`` is set (else the broker is a
    folder), so the fault tests need it set, as in CI; they never touch that server.
    """
    if not shutil.which(REDIS_SERVER):
        service_missing(f"{REDIS_SERVER} is not installed")
    if not django_settings.REDIS_URL:
        service_missing("REDIS_URL is not set, so the settings hold no Redis timeouts to test")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    settings.REDIS_URL = settings.CELERY_BROKER_URL = server.url
    settings.CACHES = {"default": settings.CACHES["default"] | {"LOCATION": server.url}}
    # The Celery app reads the settings at each use, unless a value was set on it directly
    # (as undoing a monkeypatch of ``app.conf`` does): then that value wins, so set it too.
    pinned = app.conf.changes.get("broker_url")
    app.conf.changes["broker_url"] = server.url
    _celery_connections_reset()
    try:
        yield server
    finally:
        server.thaw()
        server.stop()
        if pinned is None:
            del app.conf.changes["broker_url"]
        else:
            app.conf.changes["broker_url"] = pinned
        _celery_connections_reset()


# --- Mail -----------------------------------------------------------------------------------


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every command is accepted, each message kept."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 faults mail server")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                self.server.messages.append(message)
                self.reply("250 Kept")
            elif command == b"QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


class MailServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.port = self.server_address[1]
        self.messages = []  # list.append is atomic: sessions run in their own threads

    def sent(self, *, subject_contains: str) -> list:
        return [m for m in self.messages if subject_contains in str(m["Subject"])]


@pytest.fixture
def mail_server():
    server = MailServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


# --- The worker -----------------------------------------------------------------------------


class CeleryProcess:
    """``celery worker`` or ``celery beat`` as deployed, in a process group of its own."""

    def __init__(self, arguments: list[str], *, name: str, env: dict, log: Path, ready: str):
        self.arguments = arguments
        self.name = name
        self.env = env
        self.log_path = log
        self.ready_line = ready
        self.process = None
        self.log_mark = 0  # where this start's lines begin

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        """Start the process and wait until it says it has started."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the process, its output appended to its log."""
        with self.log_path.open("a") as log:
            log.write(f"\n--- {self.name} started at {time.strftime('%X')} ---\n")
            log.flush()
            self.log_mark = log.tell()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "ombudsman_tracker", *self.arguments],
                cwd=PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a kill takes its children
            )

    def wait_ready(self) -> None:
        def ready():
            """the process to say it has started"""
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.log()}")
            return self.ready_line in self.log()[self.log_mark :]

        wait_until(ready, timeout=30, interval=0.2)

    def kill(self) -> None:
        """SIGKILL the process and its children, as the kernel's OOM killer would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


_processes = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for process in item.stash.get(_processes, []):
            report.sections.append((f"{process.name} log", process.log()))
    return report


@pytest.fixture
def celery_env(transactional_db, own_redis, mail_server, settings, tmp_path):
    """The environment of a worker or beat process: the test database and ``own_redis``, mail
    to ``mail_server``, uploads where the test keeps them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return os.environ | {
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": own_redis.url,
        "CELERY_BROKER_URL": own_redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_server.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }


def _running(request, *processes: CeleryProcess):
    """Start the processes side by side (each takes seconds to start), yield, then kill them."""
    request.node.stash.setdefault(_processes, []).extend(processes)
    try:
        for process in processes:
            process.launch()
        for process in processes:
            process.wait_ready()
        yield processes[0] if len(processes) == 1 else processes
    finally:
        for process in processes:
            process.kill()


def _worker(env: dict, folder: Path) -> CeleryProcess:
    """A worker (prefork, two processes, acks late as in settings) on the default queue.

    Mingle and gossip, which only talk to other workers, are off to start faster.
    """
    arguments = [
        *("worker", "--pool=prefork", "--concurrency=2", "-Q", "celery"),
        *("--loglevel=INFO", "--without-mingle", "--without-gossip"),
    ]
    return CeleryProcess(
        arguments, name="worker", env=env, log=folder / "worker.log", ready=" ready."
    )


def _beat(env: dict, folder: Path) -> CeleryProcess:
    """Celery beat with the settings' schedule and scheduler, its schedule file in ``folder``."""
    arguments = ["beat", "--loglevel=INFO", "--schedule", str(folder / "beat-schedule")]
    return CeleryProcess(
        arguments, name="beat", env=env, log=folder / "beat.log", ready="Starting..."
    )


# Both killed at teardown, before the test database is emptied, so they hold no lock then.
@pytest.fixture
def worker(request, celery_env, tmp_path):
    yield from _running(request, _worker(celery_env, tmp_path))


@pytest.fixture
def worker_and_beat(request, celery_env, tmp_path):
    yield from _running(request, _worker(celery_env, tmp_path), _beat(celery_env, tmp_path))


# --- Figures --------------------------------------------------------------------------------

_figures = pytest.StashKey[list]()


@pytest.fixture
def figures(request):
    """Record a fault's figures: ``figures("redis-stopped", requests=1, errors=0, ...)``, for
    the summary at the end of the run and the JUnit report's properties."""

    def record(fault: str, **values) -> None:
        shown = " ".join(
            f"{name}={value:.1f}" if isinstance(value, float) else f"{name}={value}"
            for name, value in values.items()
        )
        request.config.stash.setdefault(_figures, []).append(f"FAULT {fault}: {shown}")
        for name, value in values.items():
            request.node.user_properties.append((f"{fault}.{name}", value))

    return record


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(_figures, [])
    if lines:
        terminalreporter.section("fault figures")
        for line in lines:
            terminalreporter.write_line(line)
