"""A council-scale data set for the benchmark, built through the app's own services.

At scale 1.0: 2 councils, 500 users across the roles and teams, 2,000 complaints, 10,000
recommendations, a population of 110,000 closed cases (imported as CSV files through
``population_import``), 50 audit programmes and about 5,000 audit outcomes; at 0.1 a tenth of
each. What grows with a council grows with the scale: the full audit covers about 608 cases at
1.0 (61 at 0.1), the busiest auditor has about 480 cases (48), the dashboard's manager owns a
fifth of their council's recommendations and so many overdue deadlines. What belongs to one
record does not: some complaints have 60 recommendations, a sample audit draws 50 to 150 cases.

Every record is made the way the app makes it (complaints, recommendations and their
evidence and statuses, statutory clocks, extensions, programmes, samples, auditors, outcomes,
moderation, live concerns, the distribution ledger, committee reports): only users, teams and
the reminder schedule's escalation officer, which are administrators' data with no service,
are written directly. Deterministic: one seeded random generator, every date counted back
from ``today``.

On its own, into a migrated empty database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ot_bench SECRET_KEY=x \\
        .venv/bin/python bench/council.py --scale 0.1

``bench/run.py`` creates the database, migrates and calls ``council_build``.
"""

import argparse
import csv
import io
import json
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# --- How big -------------------------------------------------------------------------------

FULL_SCALE = {
    "complaints": 2_000,
    "recommendations": 10_000,
    "programmes": 50,
    "population": 110_000,
    "outcomes": 5_000,
    "users": 500,
}
BIG_COMPLAINT_RECOMMENDATIONS = 60
FULL_AUDIT_CASES = 608
BUSY_AUDITOR_CASES = 480


@dataclass(frozen=True)
class Sizes:
    """How many of each record to make at ``scale`` (some floors keep tiny scales whole)."""

    scale: float

    def _scaled(self, name: str, least: int) -> int:
        return max(least, round(FULL_SCALE[name] * self.scale))

    @property
    def complaints(self) -> int:
        return self._scaled("complaints", 20)

    @property
    def big_complaints(self) -> int:
        return max(1, round(10 * self.scale))

    @property
    def recommendations(self) -> int:
        least = self.big_complaints * BIG_COMPLAINT_RECOMMENDATIONS + self.complaints
        return max(least, self._scaled("recommendations", 0))

    @property
    def programmes(self) -> int:
        return self._scaled("programmes", 2)

    @property
    def population(self) -> int:
        return self._scaled("population", 1_000)

    @property
    def outcomes(self) -> int:
        return self._scaled("outcomes", 60)

    @property
    def users(self) -> int:
        return self._scaled("users", 24)

    @property
    def full_audit_cases(self) -> int:
        return max(12, round(FULL_AUDIT_CASES * self.scale))

    @property
    def busy_auditor_cases(self) -> int:
        return max(8, round(BUSY_AUDITOR_CASES * self.scale))


# --- What the records say ------------------------------------------------------------------

COUNCILS = [("Northbridge Borough Council", "NB", 0.6), ("Southmoor District Council", "SM", 0.4)]
SERVICE_TEAMS = [
    "Front Door",
    "Assessment",
    "Child Protection",
    "Children Looked After",
    "Care Leavers",
    "Disabled Children",
    "Early Help",
    "Youth Justice",
]
QUALITY_TEAM = "Quality Assurance"
SERVICE_AREAS = [
    "Children's Social Care",
    "Children's Social Care",
    "Children's Social Care",
    "Adult Social Care",
    "Education and SEND",
    "Housing",
    "Council Tax",
    "Planning",
]
# role, share of a council's users, fewest per council, team
ROLES = [
    ("Managers", 0.12, 3, None),
    ("Officers", 0.40, 3, None),
    ("Auditors", 0.20, 4, QUALITY_TEAM),
    ("Committee clerks", 0.04, 1, "Democratic Services"),
    ("Administrators", 0.02, 1, "Digital Services"),
    ("Viewers", 0.22, 1, "Members"),
]
FIRST_NAMES = [
    "Ada", "Ben", "Cara", "Dev", "Ema", "Finn", "Gita", "Hal", "Isla", "Jon", "Kemi", "Leo",
    "Mina", "Ned", "Ola", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vic", "Wen", "Zak",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Brooks", "Chen", "Doyle", "Evans", "Farah", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nowak", "Owen", "Patel", "Reid", "Shah", "Turner",
    "Walsh",
]  # fmt: skip
NEEDS = [
    "sexual exploitation",
    "criminal exploitation",
    "missing from home",
    "neglect",
    "domestic abuse",
    "mental health",
]
# Only the full audit's cases have this need, so its programme matches exactly those.
FULL_AUDIT_NEED = "trafficking"
OTHER_COUNCILS = ["Kent County Council", "Surrey County Council", "Essex County Council"]
CONTEXTS = ["", "", "", "Closed after assessment", "Stepped down to early help"]
POPULATION_HEADER = [
    "case_reference",
    "team",
    "opened_on",
    "closed_on",
    "presenting_needs",
    "cross_border",
    "other_council",
    "context",
]
RECOMMENDATION_TEXTS = [
    ("learning", "Share the learning from this complaint with staff in the service."),
    ("service_improvement", "Review the procedure and tell staff of the changes made."),
    ("personal_remedy", "Apologise to the complainant and pay £300 for the distress caused."),
    ("service_improvement", "Remind staff to record the reasons for each decision."),
    ("learning", "Provide training on information sharing across council boundaries."),
    ("committee", "Consider the report at a committee of elected members."),
]
AUDIT_TEXT = (
    "Audit a sample of cases closed in similar circumstances; if more than 25% show similar "
    "issues, audit every such case."
)
SAMPLE_SIZES = [50, 60, 80, 100, 120, 150, 200]


def moment(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock, London time."""
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, clock_time(hour)))


def population_csv(rows: list[dict]) -> io.BytesIO:
    """The performance team's extract: a CSV file, as uploaded."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=POPULATION_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode())


def population_rows(
    rng: random.Random, *, prefix: str, count: int, today: date, first: int = 1
) -> list[dict]:
    """``count`` made-up closed cases: a third cross-border, one or two needs each, closed over
    the last six years."""
    rows = []
    for number in range(first, first + count):
        closed = today - timedelta(days=rng.randint(14, 6 * 365))
        cross_border = rng.random() < 0.3
        rows.append(
            {
                "case_reference": f"{prefix}-{number:06d}",
                "team": rng.choice(SERVICE_TEAMS),
                "opened_on": closed - timedelta(days=rng.randint(7, 500)),
                "closed_on": closed,
                "presenting_needs": ";".join(rng.sample(NEEDS, rng.choice([1, 1, 2]))),
                "cross_border": "yes" if cross_border else "no",
                "other_council": rng.choice(OTHER_COUNCILS) if cross_border else "",
                "context": rng.choice(CONTEXTS),
            }
        )
    return rows


@dataclass
class Handles:
    """What the measurements need to find again: ids, and the sizes as built."""

    scale: float
    manager: int = 0
    auditor: int = 0
    auditor_cases: int = 0
    complaint_60: int = 0
    complaint_60_recommendations: int = 0
    recommendation: int = 0
    full_audit: int = 0
    full_audit_cases: int = 0
    outcome_case: int = 0
    report: int = 0
    measure_organisation: int = 0
    build_seconds: float = 0.0
    population_import_rows_per_second: float = 0.0
    counts: dict | None = None


class CouncilBuilder:
    """Builds the data set in phases, each in one transaction, printing what each took."""

    def __init__(self, *, scale: float, today: date, log=print):
        self.sizes = Sizes(scale)
        self.today = today
        self.rng = random.Random(f"ombudsman-tracker-bench-{scale}")  # noqa: S311 (not secret)
        self.log = log
        self.handles = Handles(scale=scale)
        self.councils = []  # Organisation, in COUNCILS order
        self.staff: dict[tuple[int, str], list] = {}  # (organisation id, role) -> users
        self.complaints = []  # (complaint, {organisation id: [recommendation, ...]})
        self.audit_recommendations = []  # recommendations an audit programme is set up for
        self.trigger = None  # the one whose sample triggers the full audit (the first above)

    # --- helpers ---

    def _days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def _people(self, organisation, role: str) -> list:
        return self.staff[(organisation.pk, role)]

    def _manager(self, organisation):
        return self._people(organisation, "Managers")[0]

    def _phase(self, name: str, step):
        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic():
            step()
        self.log(f"  {name}: {time.perf_counter() - started:.1f} s")

    # --- phases ---

    def build(self) -> Handles:
        from django.db import connection

        started = time.perf_counter()
        with connection.cursor() as cursor:
            # The build's many small commits need not each wait for the disk.
            cursor.execute("SET synchronous_commit TO OFF")
        self._phase("organisations, teams and users", self.organisations_and_users)
        self._phase("population import", self.population_import)
        self._phase("complaints and recommendations", self.complaints_and_recommendations)
        self._phase("statuses, evidence and extensions", self.statuses)
        self._phase("statutory clocks and the ledger", self.statutory_clocks)
        self._phase("audit programmes, samples and outcomes", self.audits)
        self._phase("committee reports", self.reports)
        self.handles.build_seconds = round(time.perf_counter() - started, 1)
        self.handles.counts = counts()
        with connection.cursor() as cursor:
            # As autovacuum would leave a database in use: statistics for the planner and the
            # visibility map for index-only scans (and no autovacuum during the measurements).
            cursor.execute("VACUUM ANALYZE")
        return self.handles

    def organisations_and_users(self):
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group
        from django.utils.text import slugify

        from accounts.models import User
        from organisations.models import Organisation, OrganisationKind, Team
        from reminders.models import ReminderSchedule

        groups = {group.name: group for group in Group.objects.all()}
        total = self.sizes.users
        for name, prefix, share in COUNCILS:
            organisation = Organisation.objects.create(name=name, kind=OrganisationKind.COUNCIL)
            self.councils.append(organisation)
            people = round(total * share)
            for role, role_share, least, team in ROLES:
                users = []
                for n in range(max(least, round(people * role_share))):
                    first = FIRST_NAMES[(n + len(role)) % len(FIRST_NAMES)]
                    last = LAST_NAMES[(n * 7 + len(role)) % len(LAST_NAMES)]
                    if team is None or (role == "Auditors" and n % 2):
                        user_team = SERVICE_TEAMS[n % len(SERVICE_TEAMS)]
                    else:
                        user_team = team
                    username = f"{prefix.lower()}-{slugify(role)}-{n + 1}"
                    user = User.objects.create(
                        username=username,
                        password=make_password(None),
                        first_name=first,
                        last_name=last,
                        email=f"{username}@example.org",
                        organisation=organisation,
                        team=user_team,
                        job_title=role.rstrip("s").capitalize(),
                        is_staff=role == "Administrators",
                    )
                    user.groups.add(groups[role])
                    users.append(user)
                self.staff[(organisation.pk, role)] = users
            managers = self._people(organisation, "Managers")
            for n, team in enumerate(SERVICE_TEAMS):
                manager = managers[n % len(managers)]
                Team.objects.create(
                    organisation=organisation,
                    name=team,
                    manager_name=str(manager),
                    manager_email=manager.email,
                )
        council = self.councils[0]
        self.handles.manager = self._manager(council).pk
        schedule = ReminderSchedule.objects.get(deadline_kind="recommendation")
        schedule.escalation_officer = self._people(council, "Managers")[1]
        schedule.save()

    def population_import(self):
        from audits.population_csv import population_import

        rows_total, seconds = 0, 0.0
        for (_name, prefix, share), organisation in zip(COUNCILS, self.councils, strict=True):
            count = round(self.sizes.population * share)
            rows = population_rows(self.rng, prefix=prefix, count=count, today=self.today)
            if organisation == self.councils[0]:
                # The full audit's cases: cross-border, trafficking, closed two to five years ago.
                full = self.sizes.full_audit_cases
                for position in self.rng.sample(range(count), full):
                    row = rows[position]
                    closed = self._days_ago(2 * 365 + 10, 5 * 365 - 10)
                    row |= {
                        "closed_on": closed,
                        "opened_on": closed - timedelta(days=self.rng.randint(20, 300)),
                        "cross_border": "yes",
                        "other_council": OTHER_COUNCILS[0],
                        "presenting_needs": f"{FULL_AUDIT_NEED};sexual exploitation",
                    }
            file = population_csv(rows)
            started = time.perf_counter()
            population_import(
                file=file,
                file_name=f"{prefix.lower()}-population.csv",
                organisation=organisation,
                by=self._manager(organisation),
                at=moment(self.today - timedelta(days=30)),
            )
            seconds += time.perf_counter() - started
            rows_total += count
        self.handles.population_import_rows_per_second = round(rows_total / seconds)
        self.log(f"    {rows_total:,} rows imported at {rows_total / seconds:,.0f} rows a second")

    def _complaint_plan(self) -> list[dict]:
        """Each complaint's organisations, dates and number of recommendations per council."""
        sizes, rng = self.sizes, self.rng
        a, b = self.councils
        plans = []
        for n in range(sizes.complaints):
            big = n < sizes.big_complaints
            roll = rng.random()
            if big:
                organisations = [a] if n % 2 == 0 else [b]
            elif roll < 0.03:
                organisations = [a, b]
            elif roll < 0.62:
                organisations = [a]
            else:
                organisations = [b]
            plans.append(
                {
                    "organisations": organisations,
                    "report_date": self._days_ago(150, 260) if big else self._days_ago(20, 4 * 365),
                    "public_interest": n == sizes.big_complaints or rng.random() < 0.03,
                    "recommendations": BIG_COMPLAINT_RECOMMENDATIONS if big else 1,
                    "service_area": SERVICE_AREAS[0] if big else rng.choice(SERVICE_AREAS),
                }
            )
        extra = sizes.recommendations - sum(plan["recommendations"] for plan in plans)
        normal = range(sizes.big_complaints, sizes.complaints)
        for _ in range(max(0, extra)):
            plans[rng.choice(normal)]["recommendations"] += 1
        # The complaints whose first recommendation is an audit: the first of council A's, two
        # years old, is the one whose sample triggers the full audit.
        candidates = [
            n
            for n in normal
            if len(plans[n]["organisations"]) == 1
            and 150 <= (self.today - plans[n]["report_date"]).days <= 1100
        ]
        trigger = min(
            (n for n in candidates if plans[n]["organisations"][0] == a),
            key=lambda n: abs((self.today - plans[n]["report_date"]).days - 730),
        )
        others = [n for n in candidates if n != trigger]
        chosen = [trigger, *rng.sample(others, min(len(others), sizes.programmes - 2))]
        for n in chosen:
            plans[n]["audit"] = True
        plans[trigger]["triggers_full_audit"] = True
        return plans

    def _rule(self) -> dict:
        from deadlines.arithmetic import Counting, Unit
        from deadlines.models import Anchor

        count, unit = self.rng.choice(
            [(1, Unit.MONTHS), (2, Unit.MONTHS), (3, Unit.MONTHS), (6, Unit.WEEKS), (8, Unit.WEEKS)]
        )
        return {
            "counting": Counting.WITHIN,
            "count": count,
            "unit": unit,
            "anchor": Anchor.REPORT_DATE,
        }

    def complaints_and_recommendations(self):
        from recommendations import services
        from recommendations.models import Finding, Ombudsman, RecommendationKind

        lgsco = Ombudsman.objects.get(short_name="LGSCO")
        dashboard_manager = self._manager(self.councils[0])
        for n, plan in enumerate(self._complaint_plan()):
            organisations = plan["organisations"]
            recorder = self.rng.choice(self._people(organisations[0], "Officers"))
            report_date = plan["report_date"]
            complaint = services.complaint_create(
                ombudsman=lgsco,
                reference=f"{report_date:%y} {n // 1000:03d} {n % 1000:03d}",
                title=f"Complaint about {plan['service_area'].lower()} (case {n + 1})",
                service_area=plan["service_area"],
                finding=Finding.FAULT_WITH_INJUSTICE if n % 5 else Finding.FAULT,
                is_public_interest_report=plan["public_interest"],
                report_date=report_date,
                received_date=report_date + timedelta(days=self.rng.randint(0, 4)),
                summary="Made up for the benchmark: pseudonymised, no names.",
                organisations=organisations,
                by=recorder,
                clock_owner=self._manager(organisations[0]),
            )
            made = {organisation.pk: [] for organisation in organisations}
            for index in range(plan["recommendations"]):
                organisation = organisations[index % len(organisations)]
                number = len(made[organisation.pk]) + 1
                audit = plan.get("audit") and index == 0
                kind, text = (
                    (RecommendationKind.AUDIT, AUDIT_TEXT)
                    if audit
                    else self.rng.choice(RECOMMENDATION_TEXTS)
                )
                roll = self.rng.random()
                if organisation == self.councils[0] and roll < 0.2:
                    owner = dashboard_manager
                elif roll < 0.9:
                    owner = self.rng.choice(self._people(organisation, "Officers"))
                elif roll < 0.95:
                    owner = self.rng.choice(self._people(organisation, "Managers"))
                else:
                    owner = None
                by = recorder if organisation == organisations[0] else self._manager(organisation)
                recommendation = services.recommendation_create(
                    complaint=complaint,
                    organisation=organisation,
                    number=number,
                    text=text,
                    kind=kind,
                    expected_evidence="What was done, and when.",
                    owner=owner,
                    by=by,
                    rule=self._rule(),
                )
                made[organisation.pk].append(recommendation)
                if audit:
                    self.audit_recommendations.append(recommendation)
                    if plan.get("triggers_full_audit"):
                        self.trigger = recommendation
            self.complaints.append((complaint, made))
            if n < self.sizes.big_complaints and n == 0:
                self.handles.complaint_60 = complaint.pk
                self.handles.complaint_60_recommendations = plan["recommendations"]

    def statuses(self):
        """Most recommendations past their date complied (a quarter late), some not complied
        or withdrawn, about one in six left open and overdue; a few extended."""
        from deadlines import services as deadline_services
        from deadlines.models import ExtensionBasis
        from recommendations.models import RecommendationStatus as Status

        rng, today = self.rng, self.today
        audits = {recommendation.pk for recommendation in self.audit_recommendations}
        for complaint, made in self.complaints:
            for recommendations in made.values():
                for recommendation in recommendations:
                    if recommendation.pk in audits:
                        continue  # its status follows its audit (``audits``)
                    deadline = recommendation.deadline
                    actor = deadline.owner or self._manager(recommendation.organisation)
                    due, roll = deadline.due_date, rng.random()
                    if due < today:
                        if roll < 0.72:
                            if rng.random() < 0.75:
                                earliest = max(complaint.report_date, due - timedelta(days=40))
                                days = rng.randint(0, (due - earliest).days)
                                on = earliest + timedelta(days=days)
                            else:
                                on = min(today, due + timedelta(days=rng.randint(1, 90)))
                            self._comply(recommendation, on=on, by=actor)
                        elif roll < 0.78:
                            self._move(recommendation, Status.NOT_COMPLIED, on=due, by=actor)
                        elif roll < 0.82:
                            self._move(recommendation, Status.WITHDRAWN, on=due, by=actor)
                        elif roll < 0.91:
                            on = max(complaint.report_date, due - timedelta(days=10))
                            self._move(recommendation, Status.IN_PROGRESS, on=on, by=actor)
                        # otherwise open, and overdue
                    elif roll < 0.35:
                        self._move(recommendation, Status.IN_PROGRESS, on=today, by=actor)
                    elif roll < 0.40:
                        deadline_services.extension_record(
                            deadline=deadline,
                            new_due_date=due + timedelta(days=28),
                            reason="The Ombudsman agreed four more weeks.",
                            basis=ExtensionBasis.AGREED_IN_WRITING,
                            basis_reference="Letter from the Ombudsman",
                            by=self._manager(recommendation.organisation),
                            at=moment(today - timedelta(days=2)),
                        )
                    elif roll < 0.42:
                        deadline_services.extension_request(
                            deadline=deadline,
                            new_due_date=due + timedelta(days=42),
                            reason="The training cannot be delivered before the new term.",
                            basis=ExtensionBasis.OTHER,
                            by=actor,
                            at=moment(today - timedelta(days=1)),
                        )

    def _comply(self, recommendation, *, on: date, by):
        from recommendations import services
        from recommendations.models import RecommendationStatus as Status

        services.evidence_add(
            recommendation=recommendation,
            description="Briefing sent to staff, with the list of who read it",
            url=f"https://intranet.example.org/complaints/{recommendation.pk}/evidence",
            by=by,
            at=moment(on),
        )
        services.recommendation_transition(
            recommendation=recommendation, to_status=Status.COMPLIED, by=by, on=on
        )

    def _move(self, recommendation, status, *, on: date, by):
        from recommendations import services

        services.recommendation_transition(
            recommendation=recommendation,
            to_status=status,
            by=by,
            on=on,
            reason="Recorded for the benchmark",
        )

    def statutory_clocks(self):
        """The s31(2) response recorded in the distribution ledger, and the other clocks met,
        for public interest reports whose clocks have run; recent ones' clocks stay open."""
        from deadlines import services as deadline_services
        from deadlines.models import DeadlineKind, DeadlineStatus
        from reports import services as report_services
        from reports.models import Body

        for complaint, _made in self.complaints:
            if not complaint.is_public_interest_report:
                continue
            for organisation in complaint.organisations.all():
                manager = self._manager(organisation)
                clocks = complaint.deadlines.filter(
                    organisation=organisation,
                    kind__in=DeadlineKind.statutory(),
                    status=DeadlineStatus.OPEN,
                ).order_by("due_date")
                for clock in clocks:
                    if clock.due_date >= self.today - timedelta(days=7) or self.rng.random() < 0.1:
                        continue  # still running, or left overdue
                    on = clock.due_date - timedelta(days=self.rng.randint(0, 5))
                    on = max(on, complaint.report_date)
                    if clock.kind == DeadlineKind.S31_RESPONSE:
                        report_services.distribution_record(
                            complaint=complaint,
                            organisation=organisation,
                            body=Body.objects.get(kind="ombudsman", organisation=None),
                            meeting_date=on,
                            what_was_sent="The Council's response under section 31(2).",
                            by=manager,
                            at=moment(on, hour=16),
                        )
                    else:
                        deadline_services.deadline_complete(
                            deadline=clock, on=on, by=manager, reason="Done (benchmark)"
                        )

    # --- audits ---

    def audits(self):
        from audits import services as audit_services
        from recommendations.models import RecommendationStatus as Status

        sizes, rng, today = self.sizes, self.rng, self.today
        council = self.councils[0]
        budget = [sizes.outcomes]
        busy = self._people(council, "Auditors")[0]  # Quality Assurance: independent of all
        self.handles.auditor = busy.pk
        busy_left = [sizes.busy_auditor_cases]
        trigger = self.trigger
        others = [r for r in self.audit_recommendations if r is not trigger]

        # The sample whose threshold is triggered, and its full audit over every such case.
        manager = self._manager(council)
        window = {
            "closed_from": today - timedelta(days=5 * 365),
            "closed_to": today - timedelta(days=2 * 365),
            "cross_border_only": True,
            "presenting_needs": [FULL_AUDIT_NEED],
        }
        drawn_on = trigger.complaint.report_date + timedelta(days=20)
        sample = audit_services.programme_create(
            recommendation=trigger,
            title="Audit of 50 cross-border trafficking cases",
            owner=manager,
            due_date=drawn_on + timedelta(days=60),
            by=manager,
            target_sample_size=50,
            **window,
        )
        self._draw_and_assign(sample, on=drawn_on, auditors=self._auditors(council, 3, busy))
        self._outcomes(sample, share=1.0, similar=0.4, budget=budget, on=drawn_on)
        self._programme_met(sample, on=drawn_on + timedelta(days=50))
        full = audit_services.full_audit_create(
            programme=sample,
            owner=manager,
            due_date=today + timedelta(days=45),
            by=manager,
            at=moment(drawn_on + timedelta(days=52)),
        )
        full_on = drawn_on + timedelta(days=55)
        self._draw_and_assign(full, on=full_on, auditors=self._busy_on(full, busy, busy_left))
        self._outcomes(full, share=0.85, similar=0.3, budget=budget, on=full_on, drafts=0.05)
        self._move(trigger, Status.IN_PROGRESS, on=full_on, by=manager)
        self.handles.full_audit, self.handles.full_audit_cases = full.pk, full.sample_cases.count()
        self.handles.outcome_case = self._busy_draft(full, busy)
        self.handles.recommendation = trigger.pk
        self._live_concerns(full)

        # The other programmes: most done, some in progress, some not started, a few not drawn.
        for index, recommendation in enumerate(others):
            organisation = recommendation.organisation
            owner = rng.choice(self._people(organisation, "Managers")[:3])
            drawn_on = recommendation.complaint.report_date + timedelta(days=rng.randint(10, 40))
            stage = index / max(1, len(others))
            programme = audit_services.programme_create(
                recommendation=recommendation,
                title=f"Audit of cases like complaint {recommendation.complaint.reference}",
                owner=owner,
                due_date=drawn_on + timedelta(days=rng.choice([60, 90, 120])),
                by=owner,
                closed_from=drawn_on - timedelta(days=rng.randint(365, 730)),
                closed_to=drawn_on,
                cross_border_only=True,
                presenting_needs=[rng.choice(NEEDS)],
                target_sample_size=rng.choice(SAMPLE_SIZES),
            )
            if stage >= 0.96 or not self._matching(programme):
                continue  # not drawn yet
            auditors = (
                self._busy_on(programme, busy, busy_left, planned=True)
                if organisation == council
                else None
            ) or self._auditors(organisation, rng.randint(2, 4), busy)
            self._draw_and_assign(programme, on=drawn_on, auditors=auditors)
            if stage < 0.7:
                done = self._outcomes(
                    programme, share=1.0, similar=rng.uniform(0.05, 0.2), budget=budget, on=drawn_on
                )
                if done:
                    self._programme_met(programme, on=drawn_on + timedelta(days=45))
                    if recommendation.deadline.due_date < today:
                        on = min(today, drawn_on + timedelta(days=50))
                        self._comply(recommendation, on=on, by=owner)
            elif stage < 0.9:
                self._outcomes(
                    programme, share=0.5, similar=0.1, budget=budget, on=drawn_on, drafts=0.1
                )
                self._move(recommendation, Status.IN_PROGRESS, on=drawn_on, by=owner)
        self.handles.auditor_cases = busy_cases(busy)

    def _auditors(self, organisation, count: int, busy) -> list:
        """``count`` auditors of ``organisation``, at least one from Quality Assurance (so every
        case has an independent auditor), never the busy auditor."""
        people = [user for user in self._people(organisation, "Auditors") if user != busy]
        quality = [user for user in people if user.team == QUALITY_TEAM]
        first = self.rng.choice(quality)
        rest = [user for user in people if user != first]
        return [first, *self.rng.sample(rest, min(len(rest), count - 1))]

    def _busy_on(self, programme, busy, left: list[int], planned: bool = False) -> list | None:
        """Auditors for ``programme`` giving the busy auditor about as many cases as they still
        need (their share is the sample over the number of auditors), or None once they have
        enough. ``planned``: the sample is not drawn yet, so its size is the target's."""
        if left[0] <= 0:
            return None
        size = programme.target_sample_size if planned else self.sizes.full_audit_cases
        size = min(size, self._matching(programme))
        count = max(2, round(size / left[0]))
        if size / count > left[0] * 1.5:
            return None
        left[0] -= round(size / count * 1.1)  # a tenth more as moderator
        return [busy, *self._auditors(programme.recommendation.organisation, count - 1, busy)]

    def _matching(self, programme) -> int:
        from audits.services import population_matching

        return sum(1 for _ in population_matching(programme))

    def _draw_and_assign(self, programme, *, on: date, auditors: list):
        from audits import services as audit_services

        owner = programme.owner
        audit_services.sample_draw(
            programme=programme, by=owner, at=moment(on), seed=f"bench-{programme.pk}"
        )
        for auditor in auditors:
            audit_services.auditor_add(programme=programme, auditor=auditor, by=owner)
        audit_services.auditors_assign(programme=programme, by=owner)

    def _outcomes(
        self, programme, *, share: float, similar: float, budget: list[int], on: date, drafts=0.0
    ) -> bool:
        """Submit the outcomes of the first ``share`` of the sample (and their moderation, a
        tenth disagreeing, half of those settled), save ``drafts`` more as drafts; within the
        outcome ``budget``. Returns whether every case was audited."""
        from audits import services as audit_services
        from audits.models import Grade
        from audits.selectors import moderation_pair
        from demo.audit import answers

        cases = list(
            programme.sample_cases.select_related("auditor", "moderator", "case").order_by(
                "position"
            )
        )
        submitted = math.floor(len(cases) * share)
        drafted = math.ceil(len(cases) * drafts)
        for position, sample_case in enumerate(cases, start=1):
            if budget[0] <= 0 or position > submitted + drafted:
                return False
            # Exactly ``similar`` of the cases so far, spread evenly: the threshold is certain.
            similar_issues = math.floor(position * similar) > math.floor((position - 1) * similar)
            given = answers(position=position, similar_issues=similar_issues)
            at = min(moment(on + timedelta(days=1 + position // 8)), moment(self.today, 9))
            if position > submitted:
                self._draft(sample_case, given, at=at)
                budget[0] -= 1
                continue
            audit_services.outcome_save(
                sample_case=sample_case,
                auditor=sample_case.auditor,
                answers=given,
                version=None,
                submit=True,
                at=at,
            )
            budget[0] -= 1
            if sample_case.moderator:
                disagrees = self.rng.random() < 0.1
                moderated = given | (
                    {"similar_issues": not given["similar_issues"], "grade": Grade.GOOD}
                    if disagrees
                    else {}
                )
                audit_services.outcome_save(
                    sample_case=sample_case,
                    auditor=sample_case.moderator,
                    answers=moderated,
                    version=None,
                    submit=True,
                    at=at + timedelta(hours=3),
                )
                budget[0] -= 1
                if disagrees and self.rng.random() < 0.5:
                    audit_services.moderation_settle(
                        sample_case=sample_case,
                        similar_issues=given["similar_issues"],
                        grade=given["grade"],
                        seen=moderation_pair(sample_case).seen,
                        by=programme.owner,
                    )
        return submitted == len(cases)

    def _draft(self, sample_case, given: dict, *, at: datetime):
        from audits import services as audit_services

        audit_services.outcome_save(
            sample_case=sample_case,
            auditor=sample_case.auditor,
            answers={name: given[name] for name in ("strategy_discussion_held", "findings")},
            version=None,
            submit=False,
            at=at,
        )

    def _busy_draft(self, programme, busy) -> int:
        """A case of the busy auditor's in ``programme`` with a draft outcome (saving one if
        need be): the case whose outcome the measurements save."""
        from demo.audit import answers

        cases = programme.sample_cases.filter(auditor=busy).order_by("position")
        drafted = cases.filter(outcomes__auditor=busy, outcomes__status="draft").first()
        if drafted:
            return drafted.pk
        sample_case = cases.filter(outcomes=None).select_related("auditor").last()
        if sample_case is None:
            return 0
        given = answers(position=sample_case.position, similar_issues=False)
        self._draft(sample_case, given, at=moment(self.today, 9))
        return sample_case.pk

    def _programme_met(self, programme, *, on: date):
        from deadlines import services as deadline_services

        deadline_services.deadline_complete(
            deadline=programme.deadline,
            on=min(on, self.today),
            by=programme.owner,
            reason="Every case audited",
        )

    def _live_concerns(self, programme):
        """A few cases where the auditor found a child at risk now; half answered."""
        from audits import services as audit_services

        cases = list(programme.sample_cases.select_related("case", "auditor").order_by("position"))
        count = max(1, round(8 * self.sizes.scale))
        for n, sample_case in enumerate(self.rng.sample(cases, min(count, len(cases)))):
            raised_on = self.today - timedelta(days=self.rng.randint(0, 20))
            concern = audit_services.concern_raise(
                sample_case=sample_case,
                concern="Made up for the benchmark: a sibling may be at risk now.",
                raised_by=sample_case.auditor,
                at=moment(raised_on),
            )
            if n % 2:
                audit_services.concern_respond(
                    concern=concern,
                    response="Visited the same day; a strategy discussion is arranged.",
                    by=programme.owner,
                    at=moment(raised_on, hour=15),
                )

    def reports(self):
        """A draft committee report on the full audit's complaint, and drafts on a few of the
        public interest reports."""
        from reports import services as report_services
        from reports.models import Body

        council = self.councils[0]
        clerk = self._people(council, "Committee clerks")[0]
        cabinet = Body.objects.for_organisation(council).get(name="Cabinet")
        trigger = self.trigger
        report = report_services.report_draft_create(
            organisation=council,
            complaints=[trigger.complaint],
            body=cabinet,
            meeting_date=self.today + timedelta(days=28),
            asked_to="Cabinet is asked to note the findings of the full audit.",
            by=clerk,
            at=moment(self.today),
        )
        self.handles.report = report.pk
        self.handles.measure_organisation = self.councils[1].pk
        wanted = max(1, round(20 * self.sizes.scale))
        for complaint, _made in self.complaints:
            if wanted <= 0:
                break
            if not complaint.is_public_interest_report:
                continue
            organisation = complaint.organisations.all()[0]
            report_services.report_draft_create(
                organisation=organisation,
                complaints=[complaint],
                body=Body.objects.for_organisation(organisation).get(name="Cabinet"),
                meeting_date=self.today + timedelta(days=35),
                asked_to="Cabinet is asked to note the progress made.",
                by=self._people(organisation, "Committee clerks")[0],
                at=moment(self.today),
            )
            wanted -= 1


def busy_cases(user) -> int:
    from django.db.models import Q

    from audits.models import SampleCase

    return SampleCase.objects.filter(Q(auditor=user) | Q(moderator=user)).count()


def counts() -> dict[str, int]:
    """The rows made, by what they are."""
    from django.utils import timezone

    from accounts.models import User
    from audits.models import AuditOutcome, AuditProgramme, PopulationCase, SampleCase
    from deadlines.models import Deadline, DeadlineStatus
    from organisations.models import Organisation
    from recommendations.models import Complaint, Evidence, Recommendation

    today = timezone.localdate()
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "complaints": Complaint.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "evidence": Evidence.objects.count(),
        "deadlines": Deadline.objects.count(),
        "overdue deadlines": Deadline.objects.filter(
            status=DeadlineStatus.OPEN, due_date__lt=today
        ).count(),
        "population cases": PopulationCase.objects.count(),
        "audit programmes": AuditProgramme.objects.count(),
        "sample cases": SampleCase.objects.count(),
        "audit outcomes": AuditOutcome.objects.count(),
    }


def council_build(*, scale: float, today: date | None = None, log=print) -> Handles:
    """Build the data set at ``scale`` into the (migrated, empty) database. Django must be set
    up. Returns the handles the measurements use."""
    from django.utils import timezone

    from recommendations.models import Complaint

    if Complaint.objects.exists():
        raise SystemExit("The database already holds complaints: build into an empty one.")
    builder = CouncilBuilder(scale=scale, today=today or timezone.localdate(), log=log)
    return builder.build()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, required=True, help="1.0: council scale")
    parser.add_argument("--handles", type=Path, help="Write the handles (JSON) here")
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman_tracker.settings")
    import django

    django.setup()
    print(f"Building the council data set at scale {arguments.scale}")
    handles = council_build(scale=arguments.scale)
    print(f"Built in {handles.build_seconds:.0f} s: " + json.dumps(handles.counts))
    if arguments.handles:
        arguments.handles.write_text(json.dumps(asdict(handles), indent=2))


if __name__ == "__main__":
    main()
