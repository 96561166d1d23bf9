"""Upgrading an installation where a recommendation was audited twice before a second audit
needed a reason: the later audit gets a reason saying so (in its history too), so the database
can refuse any further unexplained one. The test migrates the audits app back and forward."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audits import services
from audits.models import AuditProgramme
from tests.factories import programme_set_up, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("audits", "0007_deadlines_app")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_an_audit_set_up_twice_before_the_rule_is_explained_on_upgrade():
    manager = user_with_role("Managers", username="manager")
    recommendation = recommendation_recorded(by=manager, kind="audit")
    first = programme_set_up(recommendation=recommendation, by=manager)
    second = programme_set_up(
        recommendation=recommendation, by=manager, another_audit_reason="Lost in the downgrade"
    )
    auditor = user_with_role("Auditors", username="auditor")
    services.auditor_add(programme=second, auditor=auditor, by=manager)

    try:
        _migrate(BEFORE)  # the reason's column goes, as before the rule
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.another_audit_reason == ""
    assert second.another_audit_reason.startswith(
        "Set up before another audit of a recommendation needed a reason"
    )
    entry = second.history.first()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
        "~",
        None,
        "Reason recorded for an earlier second audit",
    )
    assert entry.another_audit_reason == second.another_audit_reason
    assert AuditProgramme.objects.get(pk=second.pk).version == entry.version
    # The entry keeps the auditors the programme had, as the history's "as of" reads them.
    auditors_then = apps.get_model("audits", "HistoricalAuditProgramme_auditors").objects
    assert list(auditors_then.filter(history=entry).values_list("user", flat=True)) == [auditor.pk]
