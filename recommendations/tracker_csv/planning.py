"""Checking rows against each other and against the app, and planning what to create."""

from dataclasses import dataclass
from datetime import date

from ombudsman_tracker.csv_import import RowError
from ombudsman_tracker.formats import date_text, listed

from .. import services
from ..models import Complaint, Evidence, Recommendation
from .checking import Row
from .rules import Rule


def _show(value) -> str:
    match value:
        case None | "":
            return "blank"
        case bool():
            return "yes" if value else "no"
        case date():
            return date_text(value)
        case frozenset():
            return "; ".join(sorted(value))
        case str() if len(value) > 60:
            return f"'{value[:57]}...'"
    return f"'{value}'"


def _differences(mine: dict, theirs: dict):
    return [(column, theirs[column]) for column, value in mine.items() if value != theirs[column]]


def _complaint_values(complaint: Complaint) -> dict:
    return {
        "complaint_title": complaint.title,
        "service_area": complaint.service_area,
        "finding": complaint.get_finding_display(),
        "public_interest_report": complaint.is_public_interest_report,
        "report_date": complaint.report_date,
        "received_date": complaint.received_date,
        "organisations": frozenset(o.name for o in complaint.organisations.all()),
    }


def _recommendation_values(recommendation: Recommendation) -> dict:
    deadline = recommendation.deadline
    return {
        "recommendation": recommendation.text,
        "kind": recommendation.get_kind_display(),
        "expected_evidence": recommendation.expected_evidence,
        "rule": str(Rule.of(deadline)),
        "due_date": deadline.original_due_date,
        "status": recommendation.get_status_display(),
        "completed_on": deadline.completed_on,
        "owner": deadline.owner.username if deadline.owner else "",
    }


# The complaint's columns that every council it binds shares (services.COMPLAINT_SHARED_FACTS).
SHARED_COLUMNS = frozenset(
    {"finding", "public_interest_report", "report_date", "received_date", "organisations"}
)


def _complaint_differences(row: Row, complaint: Complaint, *, by) -> list[RowError]:
    """A row error for each complaint column that differs from the complaint in the app.

    The import never changes a recorded complaint: the user is told who can change it in the
    app. A complaint the user cannot see is not described at all.
    """
    bound = complaint.organisations.all()  # prefetched
    shared_with = services.organisations_not_covered(by, bound)
    if shared_with and len(shared_with) == len(bound):  # none of it is the user's
        return [
            RowError(
                row.number,
                "complaint_reference",
                f"Complaint {row.reference} is already recorded for another organisation: check "
                "the reference, or ask an administrator who sees every organisation.",
            )
        ]
    errors = []
    for column, value in _differences(row.complaint_values(), _complaint_values(complaint)):
        difference = (
            f"Complaint {row.reference} already exists with a different {column} "
            f"({_show(value)} in the app)"
        )
        if column in SHARED_COLUMNS and shared_with:
            names = listed(shared_with)
            message = (
                f"{difference}, and it is shared with {names}: "
                f"{services.ACCESS_TO_EVERY_COUNCIL} that, so make this row match."
            )
        else:
            message = f"{difference}: edit it in the app, or make this row match."
        errors.append(RowError(row.number, column, message))
    return errors


@dataclass
class Plan:
    existing_complaints: dict
    new_complaints: dict  # complaint key -> the complaint's first row
    new_rows: list
    rows_unchanged: int


def plan_rows(rows: list[Row], errors: list[RowError], *, by) -> Plan:
    """Check rows against each other and against the app, in a fixed number of queries."""
    existing_complaints = {
        (complaint.ombudsman_id, complaint.reference): complaint
        for complaint in Complaint.objects.filter(
            reference__in={row.reference for row in rows}
        ).prefetch_related("organisations")
    }
    existing = {
        (r.complaint.ombudsman_id, r.complaint.reference, r.organisation_id, r.number): r
        for r in Recommendation.objects.filter(
            complaint__in=list(existing_complaints.values())
        ).select_related("complaint", "deadline__owner")
    }
    evidence_links = set(
        Evidence.objects.filter(recommendation__in=list(existing.values()))
        .exclude(url="")
        .values_list("recommendation_id", "url")
    )
    first_rows: dict[tuple, Row] = {}
    row_of_recommendation: dict[tuple, int] = {}
    plan = Plan(existing_complaints, {}, [], 0)
    for row in rows:
        before = len(errors)
        complaint = f"Complaint {row.reference}"
        first = first_rows.setdefault(row.complaint_key, row)
        if first is not row:
            errors += [
                RowError(
                    row.number,
                    column,
                    f"{complaint} has {column} {_show(value)} on row {first.number}: a "
                    "complaint's columns must be the same on each of its rows.",
                )
                for column, value in _differences(row.complaint_values(), first.complaint_values())
            ]
        elif in_app := existing_complaints.get(row.complaint_key):
            errors += _complaint_differences(row, in_app, by=by)
        recommendation = (
            f"Recommendation {row.recommendation_number} of complaint {row.reference} for "
            f"{row.organisation}"
        )
        if earlier := row_of_recommendation.get(row.recommendation_key):
            errors.append(
                RowError(
                    row.number,
                    "recommendation_number",
                    f"{recommendation} is already on row {earlier}.",
                )
            )
            continue
        row_of_recommendation[row.recommendation_key] = row.number
        in_app = existing.get(row.recommendation_key)
        if in_app is None:
            plan.new_rows.append(row)
            continue
        errors += [
            RowError(
                row.number,
                column,
                f"{recommendation} already exists with a different {column} ({_show(value)} in "
                "the app): edit it in the app, or remove this row.",
            )
            for column, value in _differences(
                row.recommendation_values(), _recommendation_values(in_app)
            )
        ]
        if row.evidence and (in_app.pk, row.evidence) not in evidence_links:
            errors.append(
                RowError(
                    row.number,
                    "evidence",
                    f"{recommendation} already exists without this evidence link: add it in "
                    "the app, or remove this row.",
                )
            )
        if len(errors) == before:
            plan.rows_unchanged += 1
    plan.new_complaints = {
        key: row for key, row in first_rows.items() if key not in existing_complaints
    }
    return plan
