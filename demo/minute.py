"""The case in the source minute (/work/shared/seed/), closed as it would be by now.

The minute gives the report's date (26 November 2021), the three recommendations, that the
audit was to take place in February and that its findings go to the General Purposes & Audit
Committee (GPAC), the Safeguarding Partnership and the Improvement Board. Every other date here
is made up, each within its deadline: the public notice, the committee meeting (the minute does
not date it, nor name its committee: GPAC stands in), the response to the Ombudsman, the audit
and the committee report on its findings. Each step goes through the owning app's service, in
the order it happened, so every record has its history (dated the day the demo is loaded:
history records when a change was entered, the records say when it happened).
"""

from datetime import date

from audits import services as audit_services
from deadlines import services as deadline_services
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor, Deadline, DeadlineKind, DeadlineStatus
from ombudsman_tracker.formats import date_text
from recommendations import services
from recommendations.models import Complaint, Finding, Ombudsman, RecommendationKind
from recommendations.models import RecommendationStatus as Status
from reports import services as report_services
from reports.models import Body

from . import audit
from .moments import moment

REFERENCE = "DEMO-21 000 001"
# The minute's date; public sources suggest January 2021 (unverified): editable.
REPORT_DATE = date(2021, 11, 26)
# "The review ... was to take place in February."
AUDIT_DUE = date(2022, 2, 28)
SAMPLE_SIZE = 50
# 7 of 50 (14%) with similar issues: not more than 25%, so no full audit, as the minute expected
# ("an exception rather than a general matter of concern").
SIMILAR_AT = {3, 9, 17, 24, 31, 38, 46}

GPAC = "General Purposes & Audit Committee"
OMBUDSMAN = "Local Government and Social Care Ombudsman"

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

EVIDENCE_LINK = "https://intranet.example.org/complaints/demo-21-000-001/"


def minute_load(*, organisations, users) -> Complaint:
    """The complaint as recorded when the report arrived: its statutory clocks, the three
    recommendations, and recommendation 2's audit programme with its sample drawn."""
    manager = users["manager"]
    croydon = organisations["Croydon Council"]
    complaint = services.complaint_create(
        ombudsman=Ombudsman.objects.get(short_name="LGSCO"),
        reference=REFERENCE,
        title="Cross-border child protection referral: no strategy discussion",
        service_area="Children's Social Care",
        finding=Finding.FAULT_WITH_INJUSTICE,
        is_public_interest_report=True,
        report_date=REPORT_DATE,
        received_date=REPORT_DATE,
        summary=(
            "A referral made in June 2018 crossed a council boundary: the young person "
            "lived in Croydon and the alleged perpetrators in Kent. No strategy discussion "
            "was held, so there was no coordinated plan between the councils, police, "
            "health and schools."
        ),
        organisations=[croydon, organisations["Kent County Council"]],
        by=manager,
        clock_owner=manager,
    )
    for number, (kind, text, expected_evidence) in enumerate(RECOMMENDATIONS, start=1):
        services.recommendation_create(
            complaint=complaint,
            organisation=croydon,
            number=number,
            text=text,
            kind=kind,
            expected_evidence=expected_evidence,
            owner=users["officer"],
            by=manager,
            rule=WITHIN_3_MONTHS_OF_REPORT,
        )
    audit.teams_ensure(croydon)
    audit.population_load(
        organisation=croydon,
        by=manager,
        at=moment(date(2022, 1, 31)),
        file_name="demo-population.csv",
        first_number=1,
        count=72,
        first_opened=date(2018, 1, 8),
        step=17,
    )
    programme = audit_services.programme_create(
        recommendation=croydon.recommendations.get(complaint=complaint, number=2),
        title="Audit of 50 cross-border cases closed since 2018",
        owner=manager,
        due_date=AUDIT_DUE,
        by=manager,
        closed_from=date(2018, 1, 1),
        closed_to=REPORT_DATE,
        target_sample_size=SAMPLE_SIZE,
    )
    audit_services.sample_draw(
        programme=programme, by=manager, at=moment(date(2022, 2, 1)), seed="demo"
    )
    for member in (users["auditor"], manager):
        audit_services.auditor_add(programme=programme, auditor=member, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    return complaint


def minute_close(*, complaint: Complaint, organisations, users) -> list[str]:
    """Everything done since, in order: notices, the committee's consideration, the audit, the
    response to the Ombudsman, the committee report on the findings and where it went.

    Returns notes for the person loading the demo (a report that could not be issued)."""
    notes = []
    croydon, kent = organisations["Croydon Council"], organisations["Kent County Council"]
    officer, manager, clerk = users["officer"], users["manager"], users["clerk"]
    recommendations = {r.number: r for r in complaint.recommendations.filter(organisation=croydon)}
    bodies = {body.name: body for body in Body.objects.for_organisation(croydon)}

    for organisation in (croydon, kent):
        _clock_complete(
            complaint,
            organisation,
            DeadlineKind.S30_PUBLIC_NOTICE,
            on=date(2021, 12, 2),
            reason="Public notice of the report published in local newspapers",
            by=manager,
        )
        _clock_complete(
            complaint,
            organisation,
            DeadlineKind.S30_INSPECTION,
            on=date(2021, 12, 29),
            reason="Copies of the report open to public inspection for three weeks",
            by=manager,
        )

    report_services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=bodies[GPAC],
        meeting_date=date(2022, 1, 20),
        meeting=f"{GPAC}, 20 January 2022",
        agenda_item="Children's Service Complaint Report",
        what_was_sent="The Ombudsman's public interest report and the officers' report on its "
        "recommendations, with the progress and timeline to implement them.",
        resolution="RESOLVED to note the recommendations made by the Local Government & Social "
        "Care Ombudsman in its public interest report dated 26 November 2021, and to agree the "
        "progress and timeline to implement them.",
        by=clerk,
        at=moment(date(2022, 1, 21)),
    )

    audit_recommendation = recommendations[2]
    services.recommendation_transition(
        recommendation=audit_recommendation,
        to_status=Status.IN_PROGRESS,
        by=manager,
        on=date(2022, 2, 1),
        reason="Sample of 50 drawn; senior managers auditing in February",
    )
    programme = audit_recommendation.audit_programmes.get()
    audit.outcomes_record(
        programme=programme,
        positions=range(1, SAMPLE_SIZE + 1),
        similar_at=SIMILAR_AT,
        first_at=moment(date(2022, 2, 2)),
    )

    _comply(
        recommendations[1],
        "Practice briefing on information sharing, professional curiosity and cross-border "
        "referrals, sent to all social care staff, with the list of those who read it",
        on=date(2022, 2, 14),
        by=officer,
    )
    report_services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=bodies[OMBUDSMAN],
        meeting_date=date(2022, 2, 21),
        what_was_sent="The Council's response under section 31(2): the committee's "
        "consideration of the report, the actions taken and those proposed.",
        by=manager,
        at=moment(date(2022, 2, 21), hour=16),
    )
    _comply(
        recommendations[3],
        "The committee's minute and resolution of 20 January 2022, and the Council's letter "
        "to the Ombudsman of 21 February 2022",
        on=date(2022, 2, 21),
        by=officer,
    )
    # No audits service closes a programme: its deadline is met through the deadlines' one.
    deadline_services.deadline_complete(
        deadline=programme.deadline,
        on=date(2022, 2, 25),
        by=manager,
        reason="All 50 cases audited and moderated; the threshold was not reached",
    )
    _comply(
        audit_recommendation,
        "Audit report: 50 cases audited, 7 (14%) with similar issues; no full audit needed",
        on=date(2022, 2, 25),
        by=manager,
    )

    report = report_services.report_draft_create(
        organisation=croydon,
        complaints=[complaint],
        body=bodies[GPAC],
        meeting_date=date(2022, 3, 16),
        asked_to="The committee is asked to note the findings of the audit of 50 cross-border "
        "cases, that the threshold for a full audit was not reached, and that the findings go "
        "to the Safeguarding Partnership and the Improvement Board.",
        by=clerk,
        at=moment(date(2022, 3, 1)),
    )
    try:
        report = report_services.report_issue(report=report, by=clerk, at=moment(date(2022, 3, 8)))
    except OSError as error:
        # WeasyPrint needs Pango (see the README's requirements); the demo runs without it.
        notes.append(f"The committee report was left as a draft: its PDF needs Pango ({error}).")
        report = None

    report_services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=bodies[OMBUDSMAN],
        meeting_date=date(2022, 3, 10),
        what_was_sent="The audit report, as confirmation that the actions were taken.",
        report=report,
        by=manager,
        at=moment(date(2022, 3, 10), hour=16),
    )
    _clock_complete(
        complaint,
        croydon,
        DeadlineKind.S31_CONFIRMATION,
        on=date(2022, 3, 10),
        reason="Confirmation that the actions were taken: the audit report sent to the "
        "Ombudsman (distribution ledger)",
        by=manager,
    )
    for name, day, resolution in [
        (GPAC, date(2022, 3, 16), "RESOLVED to note the findings of the audit."),
        ("Safeguarding Partnership", date(2022, 3, 23), "Noted; learning into the CPD cycle."),
        ("Improvement Board", date(2022, 3, 30), "Noted; front door audit to follow."),
    ]:
        report_services.distribution_record(
            complaint=complaint,
            organisation=croydon,
            body=bodies[name],
            meeting_date=day,
            meeting=f"{name}, {date_text(day)}",
            agenda_item="Audit of cross-border cases: findings",
            what_was_sent="The committee report on the findings of the audit of 50 cases.",
            resolution=resolution,
            report=report,
            by=clerk,
            at=moment(day, hour=16),
        )

    # Kent answers the Ombudsman for itself; the Council recorded Kent's clocks from its copy
    # of Kent's letters, so that they are not left open (and reminded) for ever.
    for kind, day in [
        (DeadlineKind.S31_RESPONSE, date(2022, 2, 18)),
        (DeadlineKind.S31_CONFIRMATION, date(2022, 4, 29)),
    ]:
        _clock_complete(
            complaint,
            kent,
            kind,
            on=day,
            reason="Kent County Council's letter to the Ombudsman",
            by=manager,
        )
    return notes


def minute_from_an_earlier_demo(complaint: Complaint) -> bool:
    """Whether the minute's case was loaded by an earlier demo, which left it open as on the
    day the report arrived (this one records where its outputs went)."""
    return not complaint.distribution.exists()


def _comply(recommendation, evidence: str, *, on: date, by) -> None:
    services.evidence_add(
        recommendation=recommendation,
        description=evidence,
        url=f"{EVIDENCE_LINK}recommendation-{recommendation.number}",
        by=by,
        at=moment(on, hour=12),
    )
    services.recommendation_transition(
        recommendation=recommendation, to_status=Status.COMPLIED, by=by, on=on
    )


def _clock_complete(complaint, organisation, kind, *, on: date, reason: str, by) -> None:
    clock = Deadline.objects.get(
        complaint=complaint, organisation=organisation, kind=kind, status=DeadlineStatus.OPEN
    )
    deadline_services.deadline_complete(deadline=clock, on=on, by=by, reason=reason)
