"""A live case, dated from the day the demo is first loaded, so that there is work in hand.

A second, made-up complaint of the same kind as the minute's (a cross-border child-protection
referral with no strategy discussion), reported five weeks before ``today``. On ``today``:
the public inspection period ends, the cross-border protocol is due in a week and the audit
in ten days (three deadlines due within 14 days), the personal remedy is a week overdue, and
the audit has its sample drawn with 12 of 20 cases submitted, 2 started and 6 not begun. The
reminders due that day are a handful, and the dashboard's figures have something to show.
"""

from datetime import date, timedelta

from audits import services as audit_services
from deadlines import services as deadline_services
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor, DeadlineKind
from recommendations import services
from recommendations.models import Complaint, Finding, Ombudsman, RecommendationKind
from recommendations.models import RecommendationStatus as Status
from reports import services as report_services
from reports.models import Body

from . import audit
from .moments import moment

REFERENCE = "DEMO-00 000 002"
REPORT_WEEKS_AGO = 5
AUDIT_DUE_IN_DAYS = 10
SAMPLE_SIZE = 20
SUBMITTED = range(1, 13)
STARTED = (13, 14)
# 3 of the 12 audited so far: the decision is not yet known.
SIMILAR_AT = {2, 7, 11}


def _rule(count: int, unit: str) -> dict:
    return {"counting": Counting.WITHIN, "count": count, "unit": unit, "anchor": Anchor.REPORT_DATE}


# number, kind, text, expected evidence, rule
RECOMMENDATIONS = [
    (
        RecommendationKind.PERSONAL_REMEDY,
        "Within four weeks, apologise in writing to Ms B and pay her £500 for the distress "
        "and uncertainty caused by the Council's faults.",
        "A copy of the apology and proof of payment.",
        _rule(4, Unit.WEEKS),
    ),
    (
        RecommendationKind.SERVICE_IMPROVEMENT,
        "Within six weeks, agree with the neighbouring council a protocol for holding a joint "
        "strategy discussion when a child-protection referral crosses the border.",
        "The protocol signed by both councils, and how it was shared with staff.",
        _rule(6, Unit.WEEKS),
    ),
    (
        RecommendationKind.AUDIT,
        "Within two months, audit 20 cross-border referrals from the last two years to check "
        "that a strategy discussion was held when the threshold was met. If more than 25% show "
        "similar issues, audit every such referral.",
        "The audit report with the number of cases audited and the number with similar issues.",
        _rule(2, Unit.MONTHS),
    ),
    (
        RecommendationKind.COMMITTEE_CONSIDERATION,
        "Within three months, consider this report at a committee of elected members and "
        "confirm to us the actions taken or proposed.",
        "The committee's minute and resolution, and the Council's letter to the Ombudsman.",
        _rule(3, Unit.MONTHS),
    ),
]


def live_load(*, organisations, users, today: date) -> Complaint:
    """The live case as it stands on ``today`` (the same for the same ``today``)."""
    officer, manager, clerk = users["officer"], users["manager"], users["clerk"]
    croydon = organisations["Croydon Council"]
    reported = today - timedelta(weeks=REPORT_WEEKS_AGO)
    complaint = services.complaint_create(
        ombudsman=Ombudsman.objects.get(short_name="LGSCO"),
        reference=REFERENCE,
        title="Cross-border referral of a teenager at risk: no joint strategy discussion",
        service_area="Children's Social Care",
        finding=Finding.FAULT_WITH_INJUSTICE,
        is_public_interest_report=True,
        report_date=reported,
        received_date=reported + timedelta(days=2),
        summary=(
            "Made up for the demo. A school referred a teenager who lived in Croydon and "
            "reported abuse by adults living in a neighbouring council's area. Each council "
            "waited for the other, no joint strategy discussion was held, and the teenager "
            "went without a protection plan for seven weeks."
        ),
        organisations=[croydon],
        by=manager,
        clock_owner=manager,
    )
    remedy, _, audit_recommendation, _ = (
        services.recommendation_create(
            complaint=complaint,
            organisation=croydon,
            number=number,
            text=text,
            kind=kind,
            expected_evidence=expected_evidence,
            owner=officer,
            by=manager,
            rule=rule,
        )
        for number, (kind, text, expected_evidence, rule) in enumerate(RECOMMENDATIONS, start=1)
    )

    notice = complaint.deadlines.get(organisation=croydon, kind=DeadlineKind.S30_PUBLIC_NOTICE)
    deadline_services.deadline_complete(
        deadline=notice,
        on=reported + timedelta(days=9),
        by=manager,
        reason="Public notice of the report published in local newspapers",
    )

    services.evidence_add(
        recommendation=remedy,
        description="The Director's letter of apology to Ms B",
        url="https://intranet.example.org/complaints/demo-00-000-002/apology",
        by=officer,
        at=moment(today - timedelta(days=10)),
    )
    services.recommendation_transition(
        recommendation=remedy,
        to_status=Status.IN_PROGRESS,
        by=officer,
        on=today - timedelta(days=10),
        reason="Apology sent; the payment is waiting for the finance team's approval",
    )

    audit.population_load(
        organisation=croydon,
        by=manager,
        at=moment(today - timedelta(days=21)),
        file_name="demo-population-live.csv",
        first_number=1001,
        count=40,
        first_opened=reported - timedelta(days=700),
        step=15,
    )
    programme = audit_services.programme_create(
        recommendation=audit_recommendation,
        title="Audit of 20 cross-border referrals from the last two years",
        owner=manager,
        due_date=today + timedelta(days=AUDIT_DUE_IN_DAYS),
        by=manager,
        closed_from=reported - timedelta(days=730),
        closed_to=reported,
        target_sample_size=SAMPLE_SIZE,
    )
    audit_services.sample_draw(
        programme=programme, by=manager, at=moment(today - timedelta(days=20)), seed="demo-live"
    )
    for member in (users["auditor"], manager):
        audit_services.auditor_add(programme=programme, auditor=member, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    services.recommendation_transition(
        recommendation=audit_recommendation,
        to_status=Status.IN_PROGRESS,
        by=manager,
        on=today - timedelta(days=20),
        reason="Sample of 20 drawn and assigned",
    )
    audit.outcomes_record(
        programme=programme,
        positions=SUBMITTED,
        similar_at=SIMILAR_AT,
        first_at=moment(today - timedelta(days=len(SUBMITTED) + 2)),
        moderate=1,
    )
    audit.drafts_record(
        programme=programme, positions=STARTED, at=moment(today - timedelta(days=1))
    )

    report_services.report_draft_create(
        organisation=croydon,
        complaints=[complaint],
        body=Body.objects.for_organisation(croydon).get(name="Cabinet"),
        meeting_date=today + timedelta(weeks=4),
        asked_to="Cabinet is asked to consider the Ombudsman's report, agree the actions "
        "taken and proposed, and adopt this report as the Council's response under section 31 "
        "of the Local Government Act 1974.",
        by=clerk,
        at=moment(today - timedelta(days=2)),
    )
    return complaint
