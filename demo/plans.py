"""The minute's action plans and its learning programme, as the Council would have run them.

The committee "agreed the progress and timeline" on 20 January 2022 (demo.minute): that is each
recommendation's baselined plan. Since then one milestone slipped a week (the front door's
briefing), one was done early, and the knowledge check of the front door was added after the
baseline, by the learning programme. Recommendation 1's learning reached the front door, the
police and health partners through a briefing and a session; a few people never acknowledged
it, so the coverage is honest rather than perfect. Every name and address here is made up.
"""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from learning import services as learning_services
from learning.models import Audience, CheckKind, CheckResult, SessionFormat
from plans import services as plan_services
from recommendations.models import Complaint

from .moments import moment

AGREED = date(2022, 1, 20)
BASELINE_NOTE = (
    "Agreed by the General Purposes & Audit Committee on 20 January 2022, with the progress "
    "and timeline to implement the recommendations."
)

# Recommendation number: (title, planned, done, who owns it), in order.
MILESTONES = {
    1: [
        ("Briefing written", date(2022, 1, 14), date(2022, 1, 12), "officer"),
        ("Briefing delivered to the front door", date(2022, 1, 31), date(2022, 2, 7), "officer"),
        ("Briefing sent to all social care staff", date(2022, 2, 14), date(2022, 2, 14), "officer"),
    ],
    2: [
        ("Audit sample drawn", date(2022, 2, 1), date(2022, 2, 1), "manager"),
        ("Audit complete", date(2022, 2, 28), date(2022, 2, 25), "manager"),
        ("Report to committee on the findings", date(2022, 3, 16), date(2022, 3, 16), "clerk"),
        (
            "Findings to the Safeguarding Partnership and Improvement Board",
            date(2022, 3, 30),
            date(2022, 3, 30),
            "clerk",
        ),
    ],
    3: [
        ("Report considered by the committee", date(2022, 1, 20), date(2022, 1, 20), "clerk"),
        ("Response sent to the LGSCO", date(2022, 2, 25), date(2022, 2, 21), "manager"),
    ],
}
# The one date that moved after the baseline, and why.
SLIPPED = ("Briefing delivered to the front door", "The front door's team meeting moved a week")

# Made-up people: name, work email, team or agency.
PEOPLE = [
    *[
        (f"Front door worker {n}", f"front.door.{n}@croydon.example.org", "Front door (MASH)")
        for n in range(1, 11)
    ],
    *[
        (f"Police officer {n}", f"cait.{n}@met.example.org", "Police child abuse investigation")
        for n in range(1, 4)
    ],
    ("Health visitor 1", "safeguarding.1@swl-nhs.example.org", "Health safeguarding"),
    ("Health visitor 2", "safeguarding.2@swl-nhs.example.org", "Health safeguarding"),
    ("Olu Officer", "officer@example.org", "Complaints and Resolution"),
]
# Who came to the session of 7 February 2022: 8 of the front door, 1 police officer, both
# health visitors.
ATTENDED = [
    *[f"front.door.{n}@croydon.example.org" for n in range(1, 9)],
    "cait.1@met.example.org",
    "safeguarding.1@swl-nhs.example.org",
    "safeguarding.2@swl-nhs.example.org",
]

LEARNING_TEXT = (
    "When a referral about a child crosses a council boundary, the council where the child "
    "lives leads. Hold a strategy discussion with the other council, the police, health and "
    "schools on the day the concern is shared, and record who agreed what and by when.\n\n"
    "Be professionally curious: ask where the alleged perpetrators live, and share what you "
    "know with the other council at once."
)


def _csv(name: str, rows: list[list[str]]) -> SimpleUploadedFile:
    text = "\n".join(",".join(row) for row in rows) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def minute_plans_load(*, complaint: Complaint, organisations, users) -> None:
    """The three recommendations' plans, baselined by the committee, and recommendation 1's
    learning programme with its coverage and follow-up check."""
    croydon = organisations["Croydon Council"]
    manager = users["manager"]
    recommendations = {r.number: r for r in complaint.recommendations.filter(organisation=croydon)}
    made = {}
    for number, milestones in MILESTONES.items():
        for title, planned, _, owner in milestones:
            made[title] = plan_services.milestone_add(
                recommendation=recommendations[number],
                title=title,
                planned_date=planned,
                owner=users[owner],
                by=manager,
            )
        plan_services.plan_baseline(
            plan=made[title].plan,
            agreed_on=AGREED,
            note=BASELINE_NOTE,
            by=users["clerk"],
            at=moment(date(2022, 1, 21)),
        )
    title, reason = SLIPPED
    slipped = made[title]
    slipped.refresh_from_db()
    plan_services.milestone_update(
        milestone=slipped,
        version=slipped.version,
        by=manager,
        planned_date=date(2022, 2, 7),
        reason=reason,
    )
    for milestones in MILESTONES.values():
        for title, _, done, _ in milestones:
            plan_services.milestone_complete(milestone=made[title], on=done, by=manager)
    _learning_load(recommendations[1], organisation=croydon, users=users)


def _learning_load(recommendation, *, organisation, users) -> None:
    officer, manager = users["officer"], users["manager"]
    at = moment(date(2022, 1, 12))
    learning_services.audience_list_import(
        organisation=organisation,
        file=_csv("audiences.csv", [["name", "work_email", "team"], *map(list, PEOPLE)]),
        by=officer,
        at=at,
    )
    audiences = list(Audience.objects.filter(organisation=organisation).order_by("name"))
    point = learning_services.learning_point_create(
        recommendation=recommendation,
        title="Cross-border child protection referrals",
        text=LEARNING_TEXT,
        audiences=audiences,
        by=officer,
        at=at,
    )
    session = learning_services.session_record(
        learning_point=point,
        held_on=date(2022, 2, 7),
        format=SessionFormat.FACE_TO_FACE,
        facilitator="Head of Service, Quality Assurance",
        audiences=audiences,
        notes="The front door's team meeting, with police and health partners.",
        by=officer,
        at=moment(date(2022, 2, 7)),
    )
    learning_services.attendance_import(
        session=session,
        file=_csv("attendance.csv", [["work_email"], *([email] for email in ATTENDED)]),
        by=officer,
        at=moment(date(2022, 2, 8)),
    )
    check = learning_services.follow_up_schedule(
        learning_point=point,
        kind=CheckKind.KNOWLEDGE_CHECK,
        delivered_on=date(2022, 2, 7),
        interval_months=3,
        by=manager,
    )
    learning_services.follow_up_result_record(
        check=check,
        result=CheckResult.PARTLY,
        notes="8 of 10 front door workers answered the cross-border questions correctly.",
        on=date(2022, 5, 4),
        version=check.version,
        by=manager,
    )
