"""Recommendations whose dashboard figures are known, on a fixed day.

On TODAY (Monday 15 June 2026), for someone who sees every organisation:

=====  ======================  ============  ===================================  ==========
 no.    organisation / area     owner         due, and what happened               bucket
=====  ======================  ============  ===================================  ==========
  1     Croydon / Children's    officer       31 Dec 2025, complied 15 Dec 2025    on time
  2     Croydon / Children's    officer       15 Feb 2026, complied 2 Apr 2026     late
  3     Croydon / Children's    officer       30 Apr 2026, extended in writing to  on time
                                              31 May 2026, complied 20 May 2026
  4     Croydon / Children's    officer       1 May 2026, not complied 10 May      not complied
  5     Croydon / Children's    officer       1 Jun 2026, still open               overdue
  6     Croydon / Adults'       manager       1 Mar 2026, withdrawn                (left out)
  7     Croydon / Adults'       manager       25 Jun 2026 (in 10 days)             due soon
  8     Croydon / Adults'       manager       10 Jul 2026 (in 25 days)             due in 30
  9     Kent / Adults'          nobody        1 Sep 2026                           later
 10     Croydon / Adults'       manager       31 Aug 2026, complied 10 Jun 2026    on time
=====  ======================  ============  ===================================  ==========

Open 4 (5, 7, 8, 9); overdue 1; due in 14 days 1; in 30 days 2; on time 3 (1, 3, 10);
late 1; not complied 1; all due 6 (1, 2, 3, 4, 5, 10); compliance rate 3 / 6 = 50%.
The Children's complaint is a public interest report of 26 November 2021, so Croydon also
has its statutory clocks, all overdue: they must not count as recommendations.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.transaction import atomic, set_rollback
from django.test import override_settings

from accounts.models import User
from accounts.roles import Role
from deadlines import services as deadline_services
from deadlines.arithmetic import Counting
from deadlines.models import ExtensionBasis
from organisations.models import Organisation
from recommendations import services
from recommendations.models import Recommendation, RecommendationStatus
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

TODAY = date(2026, 6, 15)
AT = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def own_cache(settings, request):
    """A fresh in-memory cache for each test: the dashboard keeps its figures in the cache
    (``dashboard.selectors.compliance_counts``), and the suite's Redis outlives a test
    database, whose history ids start again with it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


def stated(day: date) -> dict:
    return {"counting": Counting.STATED, "stated_date": day}


def comply(recommendation: Recommendation, *, on: date, by) -> Recommendation:
    services.evidence_add(
        recommendation=recommendation,
        description="What was done",
        url="https://example.org/evidence",
        by=by,
        at=AT,
    )
    return services.recommendation_transition(
        recommendation=recommendation, to_status=RecommendationStatus.COMPLIED, by=by, on=on
    )


@dataclass
class Records:
    croydon: Organisation
    kent: Organisation
    manager: object
    officer: object
    recommendations: dict[int, Recommendation]

    def fresh(self) -> "Records":
        """The same records read again, so that a test's changes to them stay its own."""
        return Records(
            croydon=Organisation.objects.get(pk=self.croydon.pk),
            kent=Organisation.objects.get(pk=self.kent.pk),
            manager=User.objects.get(pk=self.manager.pk),
            officer=User.objects.get(pk=self.officer.pk),
            recommendations={
                number: Recommendation.objects.select_related("deadline").get(pk=each.pk)
                for number, each in self.recommendations.items()
            },
        )


def known_records(today: date = TODAY) -> Records:
    """The table above. Dates are offsets from ``today``: on any other day the headline
    figures are the same (only the quarters they fall in move)."""

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    kent = Organisation.objects.get_or_create(name="Kent County Council")[0]
    manager = user_with_role(
        Role.MANAGER, username="manager", organisation=croydon, first_name="Mary"
    )
    officer = user_with_role(
        Role.OFFICER, username="officer", organisation=croydon, first_name="Olu"
    )
    childrens = complaint_recorded(
        by=manager,
        organisations=[croydon],
        reference="21 000 001",
        service_area="Children's Social Care",
    )
    adults = complaint_recorded(
        by=manager,
        organisations=[croydon, kent],
        reference="25 000 002",
        service_area="Adult Social Care",
        public_interest_report=False,
    )

    def recorded(number, complaint, due, owner, organisation=croydon):
        return recommendation_recorded(
            complaint=complaint,
            organisation=organisation,
            number=number,
            owner=owner,
            by=manager if organisation == croydon else None,  # Kent records its own
            rule=stated(due),
        )

    r = {
        1: recorded(1, childrens, day(-166), officer),
        2: recorded(2, childrens, day(-120), officer),
        3: recorded(3, childrens, day(-46), officer),
        4: recorded(4, childrens, day(-45), officer),
        5: recorded(5, childrens, day(-14), officer),
        6: recorded(1, adults, day(-106), manager),
        7: recorded(2, adults, day(10), manager),
        8: recorded(3, adults, day(25), manager),
        9: recorded(1, adults, day(78), None, organisation=kent),
        10: recorded(4, adults, day(77), manager),
    }
    comply(r[1], on=day(-182), by=manager)
    comply(r[2], on=day(-74), by=manager)
    deadline_services.extension_record(
        deadline=r[3].deadline,
        new_due_date=day(-15),
        reason="The committee meets later",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        basis_reference="LGSCO letter",
        by=manager,
        at=AT,
    )
    comply(r[3], on=day(-26), by=manager)
    services.recommendation_transition(
        recommendation=r[4],
        to_status=RecommendationStatus.NOT_COMPLIED,
        by=manager,
        on=day(-36),
    )
    services.recommendation_transition(
        recommendation=r[6], to_status=RecommendationStatus.WITHDRAWN, by=manager, on=day(-106)
    )
    comply(r[10], on=day(-5), by=manager)
    for recommendation in r.values():
        recommendation.deadline.refresh_from_db()
    return Records(croydon, kent, manager, officer, r)


@pytest.fixture(scope="module")
def _records_of_module(django_db_setup, django_db_blocker) -> Records:
    """The table above, built once for a module's tests (each rolls back its own changes as
    usual) and rolled back after them: building it is most of these tests' time."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), atomic():
        yield known_records()
        set_rollback(True)


@pytest.fixture
def records(_records_of_module, db) -> Records:
    return _records_of_module.fresh()


@pytest.fixture
def regional_manager(records):
    """A manager who sees every organisation (so Kent's recommendation 9 too)."""
    return user_with_role(
        Role.MANAGER,
        username="regional",
        organisation=records.croydon,
        sees_all_organisations=True,
    )
