import re
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django_otp.plugins.otp_static.models import StaticToken

from accounts import two_factor
from accounts.models import User
from deadlines.models import Deadline, DeadlineKind
from recommendations.models import Complaint, Recommendation

pytestmark = pytest.mark.django_db


def _seed(password="demo-password-1"):
    out = StringIO()
    call_command("seed_demo", password=password, stdout=out)
    return out.getvalue()


def _signs_in(username, password):
    """The user the sign-in form would accept (django-axes asks for the request)."""
    return authenticate(
        RequestFactory().post("/accounts/login/"), username=username, password=password
    )


def _recovery_codes(output) -> dict[str, str]:
    return dict(re.findall(r"^  (\w+) .* recovery code (\w+)$", output, flags=re.MULTILINE))


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
        user = _signs_in(username, "demo-password-1")
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
    assert _signs_in("officer", "another-password-2") is not None


def test_seed_demo_prints_a_recovery_code_for_each_user_who_needs_a_second_step():
    first = _recovery_codes(_seed())
    second_run = _seed()
    second = _recovery_codes(second_run)

    assert sorted(first) == sorted(second) == ["admin", "auditor", "clerk", "manager", "officer"]
    assert "  viewer   Viewers           no second step" in second_run
    manager = User.objects.get(username="manager")
    tokens = StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)
    assert list(tokens.all()) == [second["manager"]] != [first["manager"]]
    used = two_factor.second_factor_verify(user=manager, code=second["manager"])
    assert used.device is not None
    assert list(tokens.all()) == []
