import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from accounts.roles import Role
from organisations.models import Organisation, Team
from outbox import kinds
from tests.audits.test_views import assigned_programme
from tests.factories import population_imported, recommendation_recorded, user_with_role


@dataclass
class Note:
    """A kind of job for the tests: it notes each object it runs for, failing while told to,
    taking ``seconds`` each time."""

    failures_left: int = 0
    seconds: float = 0
    ran: list = field(default_factory=list)
    given_up: list = field(default_factory=list)

    def run(self, object_id):
        time.sleep(self.seconds)
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("the mail server hung up")
        self.ran.append(object_id)


@pytest.fixture
def note(monkeypatch):
    """Registered as ``tests.note``: three attempts, 30 s then 60 s apart, a 60 s time limit."""
    note = Note()
    kind = kinds.Kind(
        name="tests.note",
        run=note.run,
        soft_time_limit=30,
        time_limit=60,
        max_attempts=3,
        first_retry=timedelta(seconds=30),
        last_retry=timedelta(minutes=1),
        give_up=note.given_up.append,
    )
    monkeypatch.setitem(kinds._kinds, kind.name, kind)
    return note


@dataclass
class Audit:
    auditor: object
    own_case: object


@pytest.fixture
def audit(db):
    """An auditor with a case of their own to audit, on the Front Door team, whose manager is
    known."""
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    auditors = [
        user_with_role(
            Role.AUDITOR, username=f"auditor{n}", organisation=croydon, team="Quality Assurance"
        )
        for n in (1, 2)
    ]
    recommendation = recommendation_recorded(
        by=manager, kind="audit", text="Audit 50 cases closed in similar circumstances."
    )
    population_imported(organisation=croydon, count=12, by=manager)
    programme = assigned_programme(recommendation, manager, auditors)
    Team.objects.create(
        organisation=croydon,
        name="Front Door",
        manager_name="Tess Manager",
        manager_email="front.door.manager@example.org",
    )
    own_case = programme.sample_cases.filter(auditor=auditors[0]).select_related("case").first()
    return Audit(auditor=auditors[0], own_case=own_case)
