import os
from collections import Counter
from datetime import date
from io import StringIO
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client, TransactionTestCase, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.roles import Role
from tests.factories import user_with_role

# CI sets REQUIRE_SERVICES=1 after starting PostgreSQL and Redis: there, a test that needs a
# real service fails when the service is missing. On a laptop without them it is skipped.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set, so this is a failure, not a skip)")
    pytest.skip(reason)


# --- One Redis database per test process ---------------------------------------------------
# bin/test runs the suite in several processes (pytest-xdist). pytest-django gives each its
# own test database (test_<name>_gw0, _gw1, ...); Redis needs the same, or one process's worker
# consumes another's queued tasks, a purge empties another's queue, and password reset
# counts add up across processes. Redis has 16 databases unless its configuration says more.
REDIS_DATABASES = 16


def redis_url_of_process(url: str, process: str) -> str:
    """``url`` with its database number moved on by the xdist process's index: gw0 keeps
    ``redis://host:6379/9``, gw1 takes ``/10``, and so on. Unchanged outside xdist."""
    if not url or not process:
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(process.removeprefix("gw"))
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"REDIS_URL {url} leaves Redis no database for test process {process}: "
            "give it a lower database number, or run fewer processes (-n)"
        )
    return parts._replace(path=f"/{database}").geturl()


def pytest_configure(config):
    """Point this process's Redis settings, and the processes it starts, at its own database.

    Django's settings have been read by now; the cache and Celery connect only at first use.
    """
    shared = os.environ.get("REDIS_URL", "")
    own = redis_url_of_process(shared, os.environ.get("PYTEST_XDIST_WORKER", ""))
    if own == shared:
        return
    os.environ["REDIS_URL"] = own
    if os.environ.get("CELERY_BROKER_URL") == shared:
        os.environ["CELERY_BROKER_URL"] = own
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if getattr(settings, name) == shared:
            setattr(settings, name, own)
    if settings.CACHES["default"].get("LOCATION") == shared:
        settings.CACHES = {"default": settings.CACHES["default"] | {"LOCATION": own}}


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        service_missing("REDIS_URL is not set")
    return url


@pytest.fixture
def officer(db):
    return user_with_role(Role.OFFICER, username="officer")


@pytest.fixture
def manager(db):
    return user_with_role(Role.MANAGER, username="manager")


@pytest.fixture
def viewer(db):
    return user_with_role(Role.VIEWER, username="viewer")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is deliberately slow; the suite signs in hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Two factors ----------------------------------------------------------------------------
# The requirement stays on in the tests, as in production. ``client.force_login`` also
# passes the second factor with a real device (a set of recovery codes named below), so the
# hundreds of tests that sign in reach their pages; tests of the sign-in steps themselves ask
# for ``force_login_without_second_factor``.
TEST_DEVICE_NAME = "Signed in by the tests"
_force_login = {"passes_second_factor": True}


def pass_second_factor(client, user):
    """Mark the client's session as verified by one of ``user``'s devices (made if need be)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=TEST_DEVICE_NAME)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(scope="session", autouse=True)
def _force_login_passes_the_second_factor():
    """Session-wide, so that clients signed in by module-scoped fixtures pass it too."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if _force_login["passes_second_factor"]:
            pass_second_factor(self, user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        yield


@pytest.fixture
def force_login_without_second_factor():
    """``client.force_login`` signs in with the password step only, as the login form does."""
    _force_login["passes_second_factor"] = False
    yield
    _force_login["passes_second_factor"] = True


# --- Reminders through a real worker --------------------------------------------------------


@pytest.fixture
def dispatch_runs(monkeypatch):
    """The dispatch runs finished so far, counted as each records its heartbeat."""
    from reminders import tasks  # imported late: test modules import this file first

    runs = []
    real_record = tasks.heartbeat_record

    def record(name, at=None):
        real_record(name, at)
        runs.append(name)

    monkeypatch.setattr(tasks, "heartbeat_record", record)
    return runs


# --- Other processes on the test database ----------------------------------------------------


def shared_database_url() -> str:
    """The URL of the test database pytest-django made (``test_…``), for another process."""
    if connection.vendor != "postgresql":
        service_missing("DATABASE_URL is not a PostgreSQL database a worker process can share")
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


# --- The order of the files ----------------------------------------------------------------
# bin/test hands each process whole files (--dist loadfile), in the order collected. Files of
# transactional tests (browser stories, real workers, faults) take seconds a test: started
# first, in the order collected, they leave the quick files to even out the processes' ends.
# Of the others, those with the most tests (the permission matrix, the URL fuzz) go first.
# Each file's tests stay together, so a module's shared records are made once.


@pytest.hookimpl(trylast=True)  # after pytest-django's ordering, which this keeps in a file
def pytest_collection_modifyitems(items):
    def transactional(item) -> bool:
        marker = item.get_closest_marker("django_db")
        return bool(marker and marker.kwargs.get("transaction"))

    slow_files = {item.path for item in items if transactional(item)}
    first_seen, tests_in = {}, Counter(item.path for item in items)
    for position, item in enumerate(items):
        first_seen.setdefault(item.path, position)

    def order(item):
        if item.path in slow_files:
            return (0, 0, first_seen[item.path])
        return (1, -tests_in[item.path], first_seen[item.path])  # the longest first

    items.sort(key=order)


# --- Emptying the test database quickly -----------------------------------------------------
# After each transactional test (browser stories, real workers, threads) Django empties the
# database with one TRUNCATE of every table, and for serialized_rollback reloads the rows the
# migrations made (roles, permissions, the ombudsmen, clock rules) one save at a time. On
# PostgreSQL a TRUNCATE makes new files for every table, empty or not: seconds per test, most
# of the suite's time. DELETE touches only the rows a test wrote, and bulk inserts reload the
# rows in a few queries. The data left behind is the same.


def _flush_by_delete(original):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or not _is_superuser(self.connection):
            return original(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # As a replica, PostgreSQL fires no trigger: neither the foreign keys' checks (every
        # table is emptied) nor the view log's refusal of DELETE, which TRUNCATE never fired.
        return ["SET LOCAL session_replication_role = replica"] + [
            f"DELETE FROM {self.quote_name(table)}"  # noqa: S608 (tables as Django names them)
            for table in tables
        ]

    return sql_flush


def _is_superuser(connection) -> bool:
    if not hasattr(connection, "_tests_superuser"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            connection._tests_superuser = cursor.fetchone()[0] == "on"
    return connection._tests_superuser


def _reload_in_bulk(original):
    def deserialize_db_from_string(self, data):
        from collections import defaultdict
        from io import StringIO

        from django.core import serializers
        from django.db.transaction import atomic

        alias = self.connection.alias
        loaded = list(serializers.deserialize("json", StringIO(data), using=alias))
        if any(type(row.object)._meta.parents for row in loaded):
            return original(self, data)  # bulk_create cannot save multi-table inheritance
        rows = defaultdict(list)  # in the serialized order, which puts dependencies first
        links = defaultdict(list)
        for row in loaded:
            rows[type(row.object)].append(row.object)
            for name, values in row.m2m_data.items():
                field = row.object._meta.get_field(name)
                through = field.remote_field.through
                links[through] += [
                    through(
                        **{
                            field.m2m_column_name(): row.object.pk,
                            field.m2m_reverse_name(): value,
                        }
                    )
                    for value in values
                ]
        # A serialized_rollback test finds the rows already there (put back when the database
        # was last emptied, or never emptied yet), where Django's one-by-one saves would update
        # them: leave them as they are.
        with atomic(using=alias), self.connection.constraint_checks_disabled():
            for model, objects in (rows | links).items():
                model._base_manager.using(alias).bulk_create(objects, ignore_conflicts=True)
        self.connection.check_constraints(table_names={model._meta.db_table for model in rows})

    return deserialize_db_from_string


# Django empties the database after each transactional test and leaves it empty, so it runs
# those tests last; ``--dist loadfile`` runs a file's tests together instead, and a later file
# would find no roles, permissions or ombudsmen. So the rows the migrations made are put back
# as soon as the database is emptied, with the same primary keys, and every test, in any
# order, starts from the migrated database.


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, keeping a copy of the migrated rows even if no test asks for one."""
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            if not hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()


def _fixture_teardown_refilled(self):
    for alias in self._databases_names(include_mirrors=False):
        connection = connections[alias]
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            database=alias,
            reset_sequences=False,
            inhibit_post_migrate=True,  # the copy holds what post_migrate makes too
        )
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


@pytest.fixture(scope="session", autouse=True)
def _quick_database_emptying():
    from django.db.backends.postgresql.creation import DatabaseCreation
    from django.db.backends.postgresql.operations import DatabaseOperations

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _fixture_teardown_refilled)
        patch.setattr(
            DatabaseOperations, "sql_flush", _flush_by_delete(DatabaseOperations.sql_flush)
        )
        patch.setattr(
            DatabaseCreation,
            "deserialize_db_from_string",
            _reload_in_bulk(DatabaseCreation.deserialize_db_from_string),
        )
        yield


# --- The demo data ------------------------------------------------------------------------

# A Monday: the live case is reported five weeks before it (26 January 2026).
TODAY = date(2026, 3, 2)
PASSWORD = "demo-password-1"


def seed_demo(*, today=TODAY, password=PASSWORD) -> str:
    """Run ``seed_demo`` as ``bin/demo`` does, for a given day; returns what it printed."""
    out = StringIO()
    call_command("seed_demo", "--today", today.isoformat(), password=password, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for ``TODAY`` and shared by a module's tests, each of which rolls
    back its own changes as usual; what ``seed_demo`` printed. Rolled back after the module.
    (Loading it takes seconds, most of them drawing the committee report's PDF.)"""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield seed_demo()
        transaction.set_rollback(True)
