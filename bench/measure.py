"""One scale of the benchmark: a fresh database, the data set, gunicorn, and the measurements.

``bench/run.py`` runs this once per scale, in a process of its own (Django is set up once per
process, on that scale's database) with the environment it needs, and reads the JSON it
writes. It can be run on its own with the same environment (see ``run.py``'s ``scale_env``).

1. Creates the database (dropping one of the same name), migrates it and builds the data set
   (``bench.council``); ``--reuse`` keeps a database built before, and its handles.
2. Signs the users in by making their sessions directly, with a second factor passed as
   tests/conftest.py's ``pass_second_factor`` does (a real static device's persistent id).
3. Serves the app with gunicorn (``bench.settings``: production plus a query count) and
   measures each page interleaved with the floor (the sign-in page), warm, over ``--rounds``.
4. Stops gunicorn, then measures in this process: the reminder dispatch (time, peak memory by
   tracemalloc, what it recorded), the population import (rows a second), and the committee
   report's Word and PDF builds for the report on the full audit. Each runs in a transaction
   that is rolled back, so every run finds the same data.
"""

import argparse
import http.client
import io
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import traceback
import tracemalloc
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from bench.council import Handles, council_build, population_csv  # noqa: E402
from bench.council import population_rows as made_up_population  # noqa: E402

VAR = ROOT / "var" / "bench"
FLOOR_PATH = "/accounts/login/"
IMPORT_ROWS = 20_000
IN_PROCESS_RUNS = 3


@dataclass
class Page:
    """One page (or download, or form post) to time against the floor."""

    key: str
    label: str
    user: str  # "manager" or "auditor"
    path: str
    method: str = "GET"
    expect: int = 200
    redirects_to: str = ""  # a redirect's expected address (the second factor's is not)
    kind: str = "page"  # "page", "post" or "download" (downloads have no size or ratio target)
    floor_limit: float = 5.0
    rounds: int | None = None  # fewer rounds for slow downloads


def pages_for(handles: Handles) -> list[Page]:
    return [
        Page("dashboard", "manager's dashboard", "manager", "/dashboard/", floor_limit=8.0),
        Page("programmes", "audit programme list", "manager", "/audits/"),
        Page(
            "full_audit",
            f"programme page, full audit of {handles.full_audit_cases} cases",
            "manager",
            f"/audits/{handles.full_audit}/",
        ),
        Page(
            "my_cases",
            f"my audit cases ({handles.auditor_cases} cases)",
            "auditor",
            "/audits/my-cases/",
        ),
        Page(
            "complaint",
            f"complaint detail ({handles.complaint_60_recommendations} recommendations)",
            "manager",
            f"/complaints/{handles.complaint_60}/",
        ),
        Page("complaints", "complaint list", "manager", "/complaints/"),
        Page("recommendations", "recommendation list", "manager", "/recommendations/"),
        Page(
            "recommendation",
            "recommendation detail (the full audit's)",
            "manager",
            f"/recommendations/{handles.recommendation}/",
        ),
        Page("home", "home page (manager)", "manager", "/"),
        Page(
            "outcome_save",
            "saving an audit outcome (POST)",
            "auditor",
            f"/audits/cases/{handles.outcome_case}/outcome/",
            method="POST",
            expect=302,
            redirects_to=f"/audits/cases/{handles.outcome_case}/outcome/",
            kind="post",
        ),
        Page(
            "tracker_csv",
            "tracker CSV export",
            "manager",
            "/tracker/export.csv",
            kind="download",
        ),
        Page(
            "report_docx",
            "committee report download, Word (draft)",
            "manager",
            f"/reports/{handles.report}/report.docx",
            kind="download",
            rounds=3,
        ),
        Page(
            "report_pdf",
            "committee report download, PDF (draft)",
            "manager",
            f"/reports/{handles.report}/report.pdf",
            kind="download",
            rounds=3,
        ),
    ]


# --- The database --------------------------------------------------------------------------


def database_recreate(url: str) -> None:
    """Drop and create the database ``url`` names, on its server."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"Refusing the database name {name!r}: letters, digits and _ only.")
    with psycopg.connect(
        host=config["HOST"] or "localhost",
        port=config["PORT"] or 5432,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')


# --- Signing in ----------------------------------------------------------------------------


def session_cookie(user) -> str:
    """A session signed in as ``user`` with a second factor passed, as the Cookie header."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts.sessions import session_sign_in_record

    device, _ = StaticDevice.objects.get_or_create(user=user, name="Signed in by the benchmark")
    backend = "accounts.single_sign_on.LocalPasswordBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS  # noqa: S101 (a broken setup stops here)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session_sign_in_record(session=session, at=timezone.now())
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the app on 127.0.0.1, as the Dockerfile runs it, for this process."""

    def __init__(self, *, workers: int, log: Path, query_dir: Path):
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_QUERY_DIR": str(query_dir),
        }
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 (our own venv's gunicorn, fixed arguments)
            [
                str(gunicorn),
                "ombudsman_tracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def _wait_until_up(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {self.log.name}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/health/live")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within a minute: see {self.log.name}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- Timing requests -----------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    first_byte_seconds: float
    status: int
    size: int
    queries: int | None
    database_ms: float | None
    streamed: bool
    location: str = ""
    body_start: str = ""


class Client:
    def __init__(self, port: int, query_dir: Path):
        self.port, self.query_dir = port, query_dir
        self.sent = 0

    def request(self, method: str, path: str, *, cookie: str = "", body: str = "") -> Sample:
        self.sent += 1
        tag = f"r{self.sent}"
        headers = {"X-Bench-Request": tag, "User-Agent": "ombudsman-tracker-bench"}
        if cookie:
            headers["Cookie"] = cookie
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        started = time.perf_counter()
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        first_byte = time.perf_counter()
        data = response.read()
        done = time.perf_counter()
        connection.close()
        queries = response.getheader("X-Bench-Queries")
        database_ms = response.getheader("X-Bench-Database-Ms")
        streamed = response.getheader("Content-Length") is None
        if queries is None:
            queries, database_ms = self._streamed_count(tag)
        return Sample(
            seconds=done - started,
            first_byte_seconds=first_byte - started,
            status=response.status,
            size=len(data),
            queries=int(queries) if queries is not None else None,
            database_ms=float(database_ms) if database_ms is not None else None,
            streamed=streamed,
            location=response.getheader("Location", ""),
            body_start=data[:300].decode(errors="replace") if response.status >= 400 else "",
        )

    def _streamed_count(self, tag: str):
        file = self.query_dir / tag
        for _ in range(50):
            if file.exists():
                count, milliseconds = file.read_text().split()
                file.unlink()
                return count, milliseconds
            time.sleep(0.02)
        return None, None


def _outcome_form(handles: Handles, csrf: str) -> str:
    """A draft save of the outcome, carrying the version saved last (as the page would)."""
    from audits.models import AuditOutcome

    version = (
        AuditOutcome.objects.filter(sample_case=handles.outcome_case, auditor=handles.auditor)
        .values_list("version", flat=True)
        .first()
    )
    return urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "strategy_discussion_held": "no",
            "information_shared": "no",
            "findings": f"Draft saved by the benchmark at {time.time():.0f}.",
            "version": version or "",
            "action": "draft",
        }
    )


def pages_measure(handles: Handles, *, port: int, query_dir: Path, rounds: int, log) -> dict:
    """Each page's samples, every request of a page preceded by one of the floor."""
    from django.utils.crypto import get_random_string

    from accounts.models import User

    client = Client(port, query_dir)
    csrf = get_random_string(32)
    cookies = {
        "manager": session_cookie(User.objects.get(pk=handles.manager)),
        "auditor": session_cookie(User.objects.get(pk=handles.auditor)),
    }
    pages = pages_for(handles)

    def fetch(page: Page) -> Sample:
        cookie = cookies[page.user]
        if page.method == "POST":
            cookie += f"; csrftoken={csrf}"
            return client.request(
                "POST", page.path, cookie=cookie, body=_outcome_form(handles, csrf)
            )
        return client.request(page.method, page.path, cookie=cookie)

    # Warm: each gunicorn worker loads its templates (and Pango) and opens its connection.
    for warming in range(3):
        client.request("GET", FLOOR_PATH)
        for page in pages:
            if page.rounds is None or warming < 2:
                fetch(page)
    floor, samples = [], {page.key: [] for page in pages}
    for round_number in range(rounds):
        for page in pages:
            if page.rounds is not None and round_number >= page.rounds:
                continue
            floor.append(client.request("GET", FLOOR_PATH))
            samples[page.key].append(fetch(page))
        log(f"    round {round_number + 1} of {rounds} done")
    floor_ms = statistics.median(sample.seconds for sample in floor) * 1000
    results = {
        "floor": {
            "label": "sign-in page (the floor)",
            "median_ms": round(floor_ms, 2),
            "samples": len(floor),
            "size": floor[-1].size,
            "queries": floor[-1].queries,
            "status": floor[-1].status,
        },
        "pages": {},
    }
    for page in pages:
        taken = samples[page.key]
        last = taken[-1]
        median_ms = statistics.median(sample.seconds for sample in taken) * 1000
        problems = sorted(
            {
                f"{sample.status} {sample.location or sample.body_start[:120]}".strip()
                for sample in taken
                if sample.status != page.expect or not sample.location.endswith(page.redirects_to)
            }
        )
        results["pages"][page.key] = asdict(page) | {
            "median_ms": round(median_ms, 1),
            "first_byte_ms": round(
                statistics.median(sample.first_byte_seconds for sample in taken) * 1000, 1
            ),
            "ratio": round(median_ms / floor_ms, 2),
            "size": last.size,
            "queries": last.queries,
            "database_ms": last.database_ms,
            "streamed": last.streamed,
            "samples": len(taken),
            "problems": problems,
        }
    return results


# --- In this process -----------------------------------------------------------------------


class Counted:
    """Counts the queries run inside it."""

    def __enter__(self):
        from django.db import connection

        from bench.querycount import QueryCounter

        self.counter = QueryCounter()
        self._wrapper = connection.execute_wrapper(self.counter)
        self._wrapper.__enter__()
        return self.counter

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


@dataclass
class RolledBack:
    """A transaction that is always rolled back, so each run finds the same data."""

    atomic: object = field(default=None)

    def __enter__(self):
        from django.db import transaction

        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        from django.db import transaction

        transaction.set_rollback(True)
        return self.atomic.__exit__(*exc)


def reminders_measure(log) -> dict:
    """The first dispatch over every deadline: its time (median of runs), its peak Python
    memory (tracemalloc, a run of its own), and what it recorded. Its return value is not
    read: it may change."""
    from django.utils import timezone

    from accounts.selectors import managers
    from deadlines.models import Deadline
    from outbox.models import Job
    from reminders import services
    from reminders.models import Reminder

    now = timezone.now()
    today = timezone.localdate(now)
    seconds, recorded = [], {}
    for _ in range(IN_PROCESS_RUNS):
        with RolledBack():
            last_reminder = Reminder.objects.order_by("-pk").values_list("pk", flat=True).first()
            last_job = Job.objects.order_by("-pk").values_list("pk", flat=True).first()
            with Counted() as counter:
                started = time.perf_counter()
                services.reminders_dispatch(now=now)
                seconds.append(time.perf_counter() - started)
            new = Reminder.objects.filter(pk__gt=last_reminder or 0)
            recorded = {
                "reminders": new.count(),
                "recipients": new.values("recipient").distinct().count(),
                "outbox_jobs": Job.objects.filter(pk__gt=last_job or 0).count(),
                "queries": counter.count,
            }
    with RolledBack():
        tracemalloc.start()
        services.reminders_dispatch(now=now)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    open_deadlines = Deadline.objects.open()
    result = recorded | {
        "median_s": round(statistics.median(seconds), 3),
        "peak_mib": round(peak / 2**20, 1),
        "overdue_deadlines": open_deadlines.filter(due_date__lt=today).count(),
        "due_in_28_days": open_deadlines.filter(
            due_date__gte=today, due_date__lte=today + timedelta(days=28)
        ).count(),
        "managers": managers().count(),
    }
    log(
        f"    reminder dispatch: {result['median_s']:.2f} s, peak {result['peak_mib']} MiB, "
        f"{result['reminders']:,} reminders for {result['overdue_deadlines']:,} overdue deadlines"
    )
    return result


def population_import_measure(handles: Handles, log) -> dict:
    """A real import of a ``IMPORT_ROWS``-row CSV file of new cases (checked, then written)."""
    import random

    from django.utils import timezone

    from accounts.models import User
    from audits.population_csv import population_import
    from organisations.models import Organisation

    organisation = Organisation.objects.get(pk=handles.measure_organisation)
    by = User.objects.filter(organisation=organisation, groups__name="Managers").first()
    rows = made_up_population(
        random.Random("population-import"),  # noqa: S311 (not secret)
        prefix="MEASURE",
        count=IMPORT_ROWS,
        today=timezone.localdate(),
    )
    file_bytes = population_csv(rows).getvalue()
    seconds = []
    for _ in range(IN_PROCESS_RUNS):
        with RolledBack():
            started = time.perf_counter()
            population_import(
                file=io.BytesIO(file_bytes),
                file_name="measure.csv",
                organisation=organisation,
                by=by,
                at=timezone.now(),
            )
            seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    result = {
        "rows": IMPORT_ROWS,
        "median_s": round(median, 2),
        "rows_per_second": round(IMPORT_ROWS / median),
        "megabytes": round(len(file_bytes) / 2**20, 1),
    }
    log(f"    population import: {result['rows_per_second']:,} rows a second")
    return result


def pdf_pages(pdf: bytes) -> int:
    """The PDF's page count (pypdf, a development dependency the tests use too)."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def report_measure(handles: Handles, log) -> dict:
    """The draft committee report on the full audit's complaint, built as its download builds
    it: the document, then Word or PDF (nothing cached)."""
    from django.utils import timezone

    from reports import services as report_services
    from reports.document import report_document
    from reports.docx import render_docx
    from reports.models import CommitteeReport
    from reports.pdf import render_pdf

    report = CommitteeReport.objects.get(pk=handles.report)

    def built(render):
        times, counts, output = [], [], b""
        for _ in range(IN_PROCESS_RUNS):
            with Counted() as counter:
                started = time.perf_counter()
                document = report_document(
                    report=report, at=timezone.localdate(), status=report_services.DRAFT_STATUS
                )
                output = render(document, draft=True)
                times.append(time.perf_counter() - started)
            counts.append(counter.count)
        return statistics.median(times), counts[-1], output

    word_s, word_queries, docx = built(render_docx)
    pdf_s, pdf_queries, pdf = built(render_pdf)
    result = {
        "word_s": round(word_s, 2),
        "word_kib": round(len(docx) / 1024),
        "word_queries": word_queries,
        "pdf_s": round(pdf_s, 2),
        "pdf_kib": round(len(pdf) / 1024),
        "pdf_pages": pdf_pages(pdf),
        "pdf_queries": pdf_queries,
    }
    log(
        f"    committee report: Word {result['word_s']} s, PDF {result['pdf_s']} s "
        f"({result['pdf_pages']} pages)"
    )
    return result


# --- The run -------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description="One scale of the benchmark (see run.py).")
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="Keep the database built before")
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()

    def log(line):
        print(line, flush=True)

    import environ

    database = environ.Env.db_url_config(os.environ["DATABASE_URL"])["NAME"]
    VAR.mkdir(parents=True, exist_ok=True)
    handles_file = VAR / f"{database}.json"
    if not arguments.reuse:
        database_recreate(os.environ["DATABASE_URL"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    result = {"scale": arguments.scale, "database": database}
    if arguments.reuse:
        handles = Handles(**json.loads(handles_file.read_text()))
        log(f"  reusing {database}, built in {handles.build_seconds:.0f} s")
        call_command("migrate", verbosity=0)  # the code measured may have added an index
    else:
        log(f"  migrating {database}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        result["migrate_s"] = round(time.perf_counter() - started, 1)
        log(f"  building the data set at scale {arguments.scale}")
        handles = council_build(scale=arguments.scale, log=log)
        handles_file.write_text(json.dumps(asdict(handles), indent=2))
        log(f"  built in {handles.build_seconds:.0f} s")
    result["handles"] = asdict(handles)
    connections.close_all()

    query_dir = VAR / f"queries-{secrets.token_hex(4)}"
    query_dir.mkdir()
    log(f"  serving with gunicorn ({arguments.workers} workers), {arguments.rounds} rounds")
    server = Server(
        workers=arguments.workers, log=VAR / f"gunicorn-{database}.log", query_dir=query_dir
    )
    try:
        result |= pages_measure(
            handles, port=server.port, query_dir=query_dir, rounds=arguments.rounds, log=log
        )
    finally:
        server.stop()
        for file in query_dir.iterdir():
            file.unlink()
        query_dir.rmdir()
    log("  in this process, gunicorn stopped:")
    for key, measure in [
        ("reminders", lambda: reminders_measure(log)),
        ("population_import", lambda: population_import_measure(handles, log)),
        ("report", lambda: report_measure(handles, log)),
    ]:
        try:
            result[key] = measure()
        except Exception as error:  # one figure lost, not the run
            traceback.print_exc()
            result[key] = {"error": f"{type(error).__name__}: {error}"[:300]}
    arguments.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
