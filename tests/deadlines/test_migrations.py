"""Deadlines moved from the recommendations app to their own: a council upgrading keeps every
deadline, extension, clock rule, their histories and the permissions its roles hold on them.

The demo's data is loaded, the move is undone (back to the tables and content types of the
recommendations app, as a council's database was before it) and then made again.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import User
from deadlines import services as deadline_services
from deadlines.models import Deadline, Extension, ExtensionBasis
from recommendations.models import Recommendation

# The last migration of each app before the move.
BEFORE_THE_MOVE = [
    ("deadlines", None),
    ("recommendations", "0005_tracker_uploads"),
    ("audits", "0006_live_concern_emailed_at"),
    ("reminders", "0003_history_reasons_as_text"),
]
MOVED_TABLES = {
    "deadline",
    "extension",
    "statutoryclockrule",
    "historicaldeadline",
    "historicalextension",
    "historicalstatutoryclockrule",
}

PERMISSIONS = ("view_deadline", "change_deadline", "view_extension", "change_statutoryclockrule")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
        return cursor.fetchall()


def _tables(app_label):
    return {f"{app_label}_{name}" for name in MOVED_TABLES}


def _roles_holding(codename):
    return set(
        Group.objects.filter(
            permissions__codename=codename, permissions__content_type__app_label="deadlines"
        ).values_list("name", flat=True)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_data_survives_the_move_to_the_deadlines_app():
    call_command("seed_demo", password="demo-password-1", stdout=StringIO())
    deadline = Deadline.objects.open().first()
    officer = User.objects.get(username="officer")
    deadline_services.extension_record(
        deadline=deadline,
        new_due_date=deadline.due_date + timedelta(days=28),
        reason="Agreed by the Ombudsman",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        by=officer,
        at=timezone.now(),
    )
    assert Extension.objects.count() == 1
    moved = {table: _rows(table) for table in _tables("deadlines")}
    holders = {codename: _roles_holding(codename) for codename in PERMISSIONS}
    assert holders["view_deadline"], "the roles' permissions on deadlines are granted"

    _migrate(BEFORE_THE_MOVE)
    tables = set(connection.introspection.table_names())
    assert _tables("recommendations") <= tables
    assert not _tables("deadlines") & tables
    assert not ContentType.objects.filter(app_label="deadlines").exists()
    assert Permission.objects.filter(
        content_type__app_label="recommendations", codename="view_deadline"
    ).exists()

    _migrate(_latest())
    tables = set(connection.introspection.table_names())
    assert _tables("deadlines") <= tables
    assert not _tables("recommendations") & tables
    for table, rows in moved.items():
        assert _rows(table) == rows, table
    assert {codename: _roles_holding(codename) for codename in PERMISSIONS} == holders
    # The models still work through the ORM, relations included.
    recommendation = Recommendation.objects.select_related("deadline").first()
    assert recommendation.deadline.complaint_id == recommendation.complaint_id
