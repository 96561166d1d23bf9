"""Load the demo: the source minute's case, closed; a live case dated from today; one user per
role.

Safe to run twice: a second run changes nothing but the users' password and recovery codes.
The live case is dated from the day it is first loaded (``--today``, for tests), so the same
day gives the same data. All demo data is made up; case references are pseudonymised.
"""

import secrets
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import two_factor
from accounts.roles import Role
from demo import answers, live, minute, plans
from ombudsman_tracker.formats import date_text
from organisations.models import Organisation, OrganisationKind
from recommendations.models import Complaint

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


class Command(BaseCommand):
    help = (
        "Load the source minute's case (closed), a live case dated from today and one demo "
        "user per role (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for every demo user (default: a new random one, printed).",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="The day the live case is dated from, as YYYY-MM-DD (default: today). Only "
            "used when the live case is first loaded.",
        )

    @transaction.atomic
    def handle(self, *args, password=None, today=None, **options):
        today = today or timezone.localdate()
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

        notes = []
        minute_case = Complaint.objects.filter(reference=minute.REFERENCE).first()
        if minute_case is None:
            minute_case = minute.minute_load(organisations=organisations, users=users)
            notes += minute.minute_close(
                complaint=minute_case, organisations=organisations, users=users
            )
            plans.minute_plans_load(complaint=minute_case, organisations=organisations, users=users)
        elif minute.minute_from_an_earlier_demo(minute_case):
            notes.append(
                "This database holds the minute's case as an earlier demo left it: open and "
                "years overdue. Delete the database (var/db.sqlite3 for bin/demo) and load the "
                "demo again to have it closed."
            )
        if not Complaint.objects.filter(reference=live.REFERENCE).exists():
            answers.live_payment_load(
                complaint=live.live_load(organisations=organisations, users=users, today=today),
                users=users,
                today=today,
            )

        # A fresh one-time recovery code each run, so nobody is stopped at the second step.
        second_steps = {
            username: "recovery code " + two_factor.recovery_codes_make(user=user, count=1)[0]
            if two_factor.second_factor_required(user)
            else "no second step"
            for username, user in users.items()
        }

        live_case = Complaint.objects.get(reference=live.REFERENCE)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded: the minute's case (closed) and a live case reported on "
                f"{date_text(live_case.report_date)}."
            )
        )
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write("Demo users (all in Croydon Council), password for each: " + password)
        self.stdout.write(
            "After the password, enter the user's recovery code (it works once: run seed_demo "
            "again for new ones, or set up an authenticator app under Account security)."
        )
        for username, role, *_ in USERS:
            self.stdout.write(f"  {username:<8} {role:<16}  {second_steps[username]}")
