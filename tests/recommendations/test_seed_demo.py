from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from recommendations.models import Complaint, Deadline, DeadlineKind, Recommendation

pytestmark = pytest.mark.django_db


def _seed(password="demo-password-1"):
    out = StringIO()
    call_command("seed_demo", password=password, stdout=out)
    return out.getvalue()


def test_seed_demo_loads_the_minutes_case_with_its_deadlines():
    output = _seed()

    complaint = Complaint.objects.get()
    assert complaint.report_date == date(2021, 11, 26)
    assert complaint.is_public_interest_report is True
    assert sorted(complaint.organisations.values_list("name", flat=True)) == [
        "Croydon Council",
        "Kent County Council",
    ]
    assert [(r.number, r.kind, r.deadline.due_date) for r in complaint.recommendations.all()] == [
        (1, "learning", date(2022, 2, 26)),
        (2, "audit", date(2022, 2, 26)),
        (3, "committee", date(2022, 2, 26)),
    ]
    assert complaint.deadlines.filter(kind=DeadlineKind.S31_RESPONSE).count() == 2
    assert "password for each: demo-password-1" in output


def test_seed_demo_prints_users_who_can_sign_in_for_each_role():
    output = _seed()

    for username, role in [
        ("officer", "Officers"),
        ("auditor", "Auditors"),
        ("clerk", "Committee clerks"),
        ("manager", "Managers"),
        ("admin", "Administrators"),
        ("viewer", "Viewers"),
    ]:
        user = authenticate(username=username, password="demo-password-1")
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert f"{username:<8} {role}" in output


def test_seed_demo_twice_changes_nothing_but_the_password():
    _seed()
    counts = (Complaint.objects.count(), Recommendation.objects.count(), Deadline.objects.count())

    _seed(password="another-password-2")

    assert (
        (
            Complaint.objects.count(),
            Recommendation.objects.count(),
            Deadline.objects.count(),
        )
        == counts
        == (1, 3, 12)
    )
    assert User.objects.count() == 6
    assert authenticate(username="officer", password="another-password-2") is not None


def test_seed_demo_sets_up_the_audit_with_a_deadline_three_weeks_away():
    from datetime import timedelta

    from django.utils import timezone

    from audits.models import AuditProgramme

    _seed()

    programme = AuditProgramme.objects.get()
    assert programme.recommendation.number == 2
    assert (programme.population_size, programme.sample_cases.count(), programme.seed) == (
        60,
        50,
        "demo",
    )
    assert programme.deadline.due_date == timezone.localdate() + timedelta(days=21)
    assert not programme.sample_cases.filter(auditor=None).exists()
