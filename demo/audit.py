"""The demo's case audits: made-up pseudonymised populations, teams, and auditors' answers.

Both demo cases audit cross-border cases, each through ``audits.services``: the minute's
audit finished, the live case's half done. Everything here is invented; case references are
pseudonymised ("DEMO-...") and no case holds a name.
"""

import io
from datetime import date, datetime, timedelta

from django.utils.text import slugify

from audits import services as audit_services
from audits.models import Answer, Grade
from audits.population_csv import population_import
from organisations.models import Team

TEAMS = ["Front Door", "Assessment", "Child Protection", "Children Looked After"]
NEEDS = ["sexual exploitation", "missing from home", "neglect", "domestic abuse"]
LEARNING = [
    "Hold a strategy discussion across the border as soon as the threshold is met.",
    "Record which council leads, and tell the family.",
    "Ask more about the family's links across the border.",
]
HEADER = "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council"


def teams_ensure(organisation) -> None:
    """The teams the demo's cases belong to, with a manager to raise a live concern with.
    (Teams are administrators' data: ``organisations`` has no service for them.)"""
    for team in TEAMS:
        Team.objects.get_or_create(
            organisation=organisation,
            name=team,
            defaults={
                "manager_name": f"{team} team manager",
                "manager_email": f"{slugify(team)}.manager@example.org",
            },
        )


def population_load(
    *,
    organisation,
    by,
    at: datetime,
    file_name: str,
    first_number: int,
    count: int,
    first_opened: date,
    step: int,
) -> None:
    """Import ``count`` made-up closed cases, every sixth one not cross-border, as the
    performance team's extract would arrive (``population_import``)."""
    rows = [HEADER]
    for n in range(first_number, first_number + count):
        opened = first_opened + timedelta(days=step * (n - first_number + 1))
        cross_border = n % 6 != 0
        rows.append(
            f"DEMO-{n:04d},{TEAMS[n % 4]},{opened},{opened + timedelta(days=40 + n % 30)},"
            f"{NEEDS[n % 4]},{'yes' if cross_border else 'no'},"
            f"{'Kent County Council' if cross_border else ''}"
        )
    population_import(
        file=io.BytesIO(("\n".join(rows) + "\n").encode()),
        file_name=file_name,
        organisation=organisation,
        by=by,
        at=at,
    )


def answers(*, position: int, similar_issues: bool) -> dict:
    """An auditor's answers to the audit instrument for the case at ``position``: a case with
    similar issues is one where, as in the Ombudsman's case, no strategy discussion was held."""
    if similar_issues:
        return {
            "strategy_discussion_held": Answer.NO,
            "agencies_involved": ["social_care", "police"],
            "other_council_contacted": Answer.YES if position % 2 else Answer.NO,
            "information_shared": Answer.NO,
            "child_seen_and_heard": Answer.YES,
            "professional_curiosity": Answer.NO,
            "lead_council_decided": Answer.NO,
            "grade": Grade.INADEQUATE if position % 3 == 0 else Grade.REQUIRES_IMPROVEMENT,
            "similar_issues": True,
            "findings": f"Threshold met on the day of the referral; the other council was "
            f"first contacted {2 + position % 11} days later and no strategy discussion was "
            "held.",
            "learning": LEARNING[position % len(LEARNING)],
        }
    curious = position % 5 != 0
    return {
        "strategy_discussion_held": Answer.YES,
        "agencies_involved": ["social_care", "police", "health", "other_council"],
        "other_council_contacted": Answer.YES,
        "information_shared": Answer.YES,
        "child_seen_and_heard": Answer.YES,
        "professional_curiosity": Answer.YES if curious else Answer.NO,
        "lead_council_decided": Answer.YES,
        "days_to_strategy_discussion": 1 + position % 4,
        "grade": (Grade.OUTSTANDING if position % 9 == 0 else Grade.GOOD)
        if curious
        else Grade.REQUIRES_IMPROVEMENT,
        "similar_issues": False,
        "findings": "",
        "learning": "",
    }


def outcomes_record(
    *,
    programme,
    positions,
    similar_at: set[int],
    first_at: datetime,
    moderate: int | None = None,
) -> None:
    """Each case at ``positions`` audited and submitted by its auditor, a day apart from
    ``first_at`` (a case a day, spread over the auditors); the first ``moderate`` of the
    moderated cases among them moderated too, in agreement (``None``: all of them)."""
    sample_cases = programme.sample_cases.select_related("auditor", "moderator").filter(
        position__in=positions
    )
    moderated = 0
    for sample_case in sample_cases.order_by("position"):
        position = sample_case.position
        given = answers(position=position, similar_issues=position in similar_at)
        at = first_at + timedelta(days=position - min(positions))
        audit_services.outcome_save(
            sample_case=sample_case,
            auditor=sample_case.auditor,
            answers=given,
            version=None,
            submit=True,
            at=at,
        )
        if sample_case.moderator and (moderate is None or moderated < moderate):
            audit_services.outcome_save(
                sample_case=sample_case,
                auditor=sample_case.moderator,
                answers=given,
                version=None,
                submit=True,
                at=at + timedelta(hours=4),
            )
            moderated += 1


def drafts_record(*, programme, positions, at: datetime) -> None:
    """Cases an auditor has started: a few answers saved, nothing submitted."""
    for sample_case in programme.sample_cases.select_related("auditor").filter(
        position__in=positions
    ):
        given = answers(position=sample_case.position, similar_issues=False)
        audit_services.outcome_save(
            sample_case=sample_case,
            auditor=sample_case.auditor,
            answers={
                name: given[name]
                for name in ("strategy_discussion_held", "agencies_involved", "information_shared")
            },
            version=None,
            submit=False,
            at=at,
        )
