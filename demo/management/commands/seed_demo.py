"""Load the case from the source minute, its audit, and one demo user per role.

Safe to run twice. All demo data is made up; case references are pseudonymised.
"""

import io
import secrets
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import two_factor
from accounts.roles import Role
from audits import services as audit_services
from audits.population_csv import population_import
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor
from organisations.models import Organisation, OrganisationKind, Team
from recommendations import services
from recommendations.models import Complaint, Finding, Ombudsman, RecommendationKind

DEMO_REFERENCE = "DEMO-21 000 001"

ORGANISATIONS = [
    ("Croydon Council", OrganisationKind.COUNCIL),
    ("Kent County Council", OrganisationKind.COUNCIL),
    ("Metropolitan Police Service", OrganisationKind.POLICE),
    ("NHS South West London", OrganisationKind.HEALTH),
]

# username, role, first name, last name, team, job title
USERS = [
    ("officer", Role.OFFICER, "Olu", "Officer", "Complaints and Resolution", "Complaints officer"),
    ("auditor", Role.AUDITOR, "Ade", "Auditor", "Quality Assurance", "Head of Service"),
    ("clerk", Role.COMMITTEE_CLERK, "Chris", "Clerk", "Democratic Services", "Committee clerk"),
    ("manager", Role.MANAGER, "Morgan", "Manager", "Children's Social Care", "Director"),
    ("admin", Role.ADMINISTRATOR, "Alex", "Admin", "Digital Services", "Administrator"),
    ("viewer", Role.VIEWER, "Val", "Viewer", "Members", "Committee member"),
]

WITHIN_3_MONTHS_OF_REPORT = {
    "counting": Counting.WITHIN,
    "count": 3,
    "unit": Unit.MONTHS,
    "anchor": Anchor.REPORT_DATE,
}

RECOMMENDATIONS = [
    (
        RecommendationKind.LEARNING,
        "Share the learning points from this case across its organisation, to ensure staff are "
        "aware of their responsibilities in respect of information sharing, professional "
        "curiosity, and cross border child protection referrals.",
        "Copies of the briefing or training material, and who received it.",
    ),
    (
        RecommendationKind.AUDIT,
        "Conduct an audit of 50 cases closed in similar circumstances between 2018 to date. If "
        "more than 25% of those cases identify similar issues the Council should make resources "
        "available to conduct a full case audit. The full audit should review all cases closed "
        "in similar circumstances between 2018 to date.",
        "The audit report with the number of cases audited and the number with similar issues.",
    ),
    (
        RecommendationKind.COMMITTEE_CONSIDERATION,
        "Within three months the Council should confirm the actions they have taken or propose "
        "to take. The Council should consider the report at a full Council, Cabinet or other "
        "appropriately delegated committee of elected members and we will require evidence of "
        "this.",
        "The committee's minute and resolution, and the Council's letter to the Ombudsman.",
    ),
]


class Command(BaseCommand):
    help = "Load the source minute's case and one demo user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for every demo user (default: a new random one, printed).",
        )

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(9)
        organisations = {
            name: Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for name, kind in ORGANISATIONS
        }
        croydon = organisations["Croydon Council"]
        users = {}
        for username, role, first, last, team, job_title in USERS:
            user, _ = get_user_model().objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "organisation": croydon,
                    "team": team,
                    "job_title": job_title,
                    "is_staff": role == Role.ADMINISTRATOR,
                },
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user

        if not Complaint.objects.filter(reference=DEMO_REFERENCE).exists():
            self._load_minute(organisations, users)
            self._set_up_audit(croydon, users)

        # A fresh one-time recovery code each run, so nobody is stopped at the second step.
        second_steps = {
            username: "recovery code " + two_factor.recovery_codes_make(user=user, count=1)[0]
            if two_factor.second_factor_required(user)
            else "no second step"
            for username, user in users.items()
        }

        self.stdout.write(self.style.SUCCESS("Demo data loaded: the minute's case."))
        self.stdout.write("Demo users (all in Croydon Council), password for each: " + password)
        self.stdout.write(
            "After the password, enter the user's recovery code (it works once: run seed_demo "
            "again for new ones, or set up an authenticator app under Account security)."
        )
        for username, role, *_ in USERS:
            self.stdout.write(f"  {username:<8} {role:<16}  {second_steps[username]}")

    def _load_minute(self, organisations, users):
        manager = users["manager"]
        complaint = services.complaint_create(
            ombudsman=Ombudsman.objects.get(short_name="LGSCO"),
            reference=DEMO_REFERENCE,
            title="Cross-border child protection referral: no strategy discussion",
            service_area="Children's Social Care",
            finding=Finding.FAULT_WITH_INJUSTICE,
            is_public_interest_report=True,
            # The minute's date; public sources suggest January 2021 (unverified): editable.
            report_date=date(2021, 11, 26),
            received_date=date(2021, 11, 26),
            summary=(
                "A referral made in June 2018 crossed a council boundary: the young person "
                "lived in Croydon and the alleged perpetrators in Kent. No strategy discussion "
                "was held, so there was no coordinated plan between the councils, police, "
                "health and schools."
            ),
            organisations=[organisations["Croydon Council"], organisations["Kent County Council"]],
            by=manager,
            clock_owner=manager,
        )
        for number, (kind, text, expected_evidence) in enumerate(RECOMMENDATIONS, start=1):
            services.recommendation_create(
                complaint=complaint,
                organisation=organisations["Croydon Council"],
                number=number,
                text=text,
                kind=kind,
                expected_evidence=expected_evidence,
                owner=users["officer"],
                by=manager,
                rule=WITHIN_3_MONTHS_OF_REPORT,
            )

    def _set_up_audit(self, croydon, users):
        """Recommendation 2's audit: a pseudonymised population, a drawn and assigned sample,
        and a deadline three weeks from today, so that reminders show in the demo."""
        manager, auditor = users["manager"], users["auditor"]
        for team in DEMO_TEAMS:
            Team.objects.get_or_create(
                organisation=croydon,
                name=team,
                defaults={
                    "manager_name": f"{team} team manager",
                    "manager_email": f"{slugify(team)}.manager@example.org",
                },
            )
        population_import(
            file=io.BytesIO(_demo_population().encode()),
            file_name="demo-population.csv",
            organisation=croydon,
            by=manager,
            at=timezone.now(),
        )
        programme = audit_services.programme_create(
            recommendation=croydon.recommendations.get(number=2),
            title="Audit of 50 cross-border cases closed since 2018",
            owner=manager,
            due_date=timezone.localdate() + timedelta(days=21),
            by=manager,
            closed_from=date(2018, 1, 1),
            closed_to=date(2021, 11, 26),
        )
        audit_services.sample_draw(programme=programme, by=manager, at=timezone.now(), seed="demo")
        for member in (auditor, manager):
            audit_services.auditor_add(programme=programme, auditor=member, by=manager)
        audit_services.auditors_assign(programme=programme, by=manager)


DEMO_TEAMS = ["Front Door", "Assessment", "Child Protection", "Children Looked After"]
DEMO_NEEDS = ["sexual exploitation", "missing from home", "neglect", "domestic abuse"]


def _demo_population() -> str:
    """72 made-up, pseudonymised closed cases: 60 cross-border ones match the audit."""
    rows = ["case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council"]
    for n in range(1, 73):
        opened = date(2018, 1, 8) + timedelta(days=17 * n)
        rows.append(
            f"DEMO-{n:04d},{DEMO_TEAMS[n % 4]},{opened},{opened + timedelta(days=40 + n % 30)},"
            f"{DEMO_NEEDS[n % 4]},{'no' if n % 6 == 0 else 'yes'},"
            f"{'' if n % 6 == 0 else 'Kent County Council'}"
        )
    return "\n".join(rows) + "\n"
