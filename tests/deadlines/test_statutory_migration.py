"""Upgrading a council's installation to the s31(2A)(c) rule as the Act reads: the rule the app
installed changes, with a history entry that says why; a rule the council's lawyers changed
is left as they left it. The test migrates the deadlines app back over the change and forward.
"""

import pytest
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor

from deadlines.arithmetic import Counting
from deadlines.models import DeadlineKind, StatutoryClockRule

BEFORE = [("deadlines", "0002_tables_renamed")]
INSTALLED_BASIS = (
    "Local Government Act 1974 s31(2A)(c): a further report may follow if the Ombudsman "
    "has no confirmation within a further three months that the action was taken."
)
UPGRADE = "Upgrade: counted as Local Government Act 1974 s31(2A)(c) reads"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def upgrade():
    """Migrate back to before the change, and forward again (also if the test fails)."""
    _migrate(BEFORE)
    yield lambda: _migrate(_latest())
    _migrate(_latest())


def _rule():
    return StatutoryClockRule.objects.get(kind=DeadlineKind.S31_CONFIRMATION)


def _rule_set(**fields):
    StatutoryClockRule.objects.filter(kind=DeadlineKind.S31_CONFIRMATION).update(**fields)


def _upgrade_entries(rule):
    return rule.history.filter(history_change_reason__startswith=UPGRADE)


def test_the_upgrade_changes_the_installed_rule_once_and_never_the_lawyers_own(upgrade):
    """One story, as each round trip over the migrations takes seconds."""
    before = _rule()
    assert (before.counting, before.legal_basis) == (Counting.WITHIN, INSTALLED_BASIS)

    upgrade()

    after = _rule()
    assert after.counting == Counting.BEGINNING_WITH
    assert '"within a period of three months beginning with the end of the period so allowed"' in (
        after.legal_basis
    )
    # The test database was migrated once already: going back and forth writes no second entry.
    entry = _upgrade_entries(after).get()
    assert (entry.counting, entry.history_user, entry.history_type) == (
        Counting.BEGINNING_WITH,
        None,
        "~",
    )

    # The lawyers choose the day-after reading: the code before the upgrade could not count it.
    _rule_set(counting=Counting.BEGINNING_DAY_AFTER)
    with pytest.raises(IrreversibleError, match="beginning with the day after"):
        _migrate(BEFORE)
    assert _rule().counting == Counting.BEGINNING_DAY_AFTER

    # Their own reading of "within", in their words, survives going back and upgrading again.
    theirs = f"{INSTALLED_BASIS} Our lawyers read it as within three months of the due date."
    _rule_set(counting=Counting.WITHIN, legal_basis=theirs)
    _migrate(BEFORE)
    upgrade()

    rule = _rule()
    assert (rule.counting, rule.legal_basis) == (Counting.WITHIN, theirs)
    assert _upgrade_entries(rule).count() == 1
