"""Checking rows against each other and against the app, and planning what to create or change.

A row whose recommendation is already in the app is compared with it. The same values: the
row is left alone. Different values: the import never overwrites what is in the app, with
one exception, so that a tracker can be kept in Excel between visits. A row of an export (it
carries the ``version`` the export wrote) may change the recommendation's status (with
``completed_on``) and add an evidence link, through the same service and the same checks as
the status page, if nobody has changed the recommendation since it was exported. Any other
difference is refused with a row error.
"""

from dataclasses import dataclass, field
from datetime import date

from ombudsman_tracker.csv_import import RowError
from ombudsman_tracker.formats import date_text, listed

from .. import services
from ..models import (
    OMBUDSMAN_DECIDES,
    TRANSITIONS,
    Complaint,
    Evidence,
    Recommendation,
    RecommendationStatus,
)
from .checking import Row
from .extensions import tracker_extensions
from .rules import Rule

# What a row of an export may change in a recommendation already in the app, and the
# permissions the status and evidence pages ask for the same changes.
CHANGEABLE = frozenset({"status", "completed_on", "evidence"})
CHANGE_PERMISSIONS = {
    "status": "recommendations.change_recommendation_status",
    "evidence": "recommendations.add_evidence",
}


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


def _as_read(text: str) -> str:
    """Text in the app as the import reads its cell (``Cells.text``), so that a value with a
    Windows line break or a space at its end, as a form may save it, reads back the same."""
    return text.replace("\r\n", "\n").strip()


def _complaint_values(complaint: Complaint) -> dict:
    return {
        "complaint_title": _as_read(complaint.title),
        "service_area": _as_read(complaint.service_area),
        "finding": complaint.get_finding_display(),
        "public_interest_report": complaint.is_public_interest_report,
        "report_date": complaint.report_date,
        "received_date": complaint.received_date,
        "organisations": frozenset(o.name for o in complaint.organisations.all()),
    }


def _recommendation_values(recommendation: Recommendation) -> dict:
    deadline = recommendation.deadline
    return {
        "recommendation": _as_read(recommendation.text),
        "kind": recommendation.get_kind_display(),
        "expected_evidence": _as_read(recommendation.expected_evidence),
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


@dataclass(frozen=True)
class Change:
    """What a row of an export changes in a recommendation already in the app."""

    row: Row
    recommendation: Recommendation
    to_status: str | None  # None: the status stays
    link: str  # an evidence link to add; "" for none


@dataclass
class Plan:
    existing_complaints: dict
    new_complaints: dict  # complaint key -> the complaint's first row
    new_rows: list
    rows_unchanged: int
    changes: list[Change]
    # Rows with values in an extension's columns, with their recommendation in the app (None
    # for one the import creates): ``writing`` hands each value to its extension.
    extended: list[tuple[Row, Recommendation | None]] = field(default_factory=list)


def _recommendation_name(row: Row) -> str:
    return (
        f"Recommendation {row.recommendation_number} of complaint {row.reference} for "
        f"{row.organisation}"
    )


def _in_app_differences(
    row: Row, in_app: Recommendation, *, by, links: set, with_evidence: set
) -> tuple[Change | None, list[RowError]]:
    """The change a row makes to its recommendation in the app, or the row errors refusing it.

    ``by`` needs the permissions the status and evidence pages need for the same change.

    ``links`` holds (recommendation id, url) for every evidence link; ``with_evidence`` the ids
    of recommendations with any evidence (a file or a link).
    """
    recommendation = _recommendation_name(row)
    differences = dict(_differences(row.recommendation_values(), _recommendation_values(in_app)))
    if row.evidence and (in_app.pk, row.evidence) not in links:
        differences["evidence"] = None
    if not differences:
        return None, []
    if row.version is None:  # a tracker made by hand: the app's values stand
        return None, [
            RowError(
                row.number,
                column,
                f"{recommendation} already exists without this evidence link: add it in the "
                "app, or remove this row."
                if column == "evidence"
                else f"{recommendation} already exists with a different {column} "
                f"({_show(value)} in the app): edit it in the app, or remove this row.",
            )
            for column, value in differences.items()
        ]
    if row.version != in_app.version:  # the row differs because the app has moved on, or both
        return None, [
            RowError(
                row.number,
                "version",
                f"{recommendation} has changed in the app since this file was exported (it is "
                f"at version {in_app.version}, the file has {row.version}): export the tracker "
                "again and make the change in the new file.",
            )
        ]
    errors = []
    fixed = differences.keys() - CHANGEABLE
    if "completed_on" in differences and "status" not in differences:
        fixed.add("completed_on")  # the date changes only with the status
    errors += [
        RowError(
            row.number,
            column,
            f"{recommendation} already exists with a different {column} "
            f"({_show(differences[column])} in the app): an import changes only a "
            f"recommendation's status and evidence; edit {column} in the app, or make this "
            "row match.",
        )
        for column in sorted(fixed)
    ]
    to_status = row.status if "status" in differences else None
    if to_status and OMBUDSMAN_DECIDES & {to_status, in_app.status}:
        # Reached by sending the evidence, left by the Ombudsman's verdict: never imported.
        errors.append(
            RowError(
                row.number,
                "status",
                f"{recommendation} is {in_app.get_status_display().lower()} in the app, so it "
                f"cannot become {RecommendationStatus(to_status).label.lower()} by an import: "
                "evidence is sent, and the Ombudsman's reply recorded, in the app.",
            )
        )
    elif to_status and to_status not in TRANSITIONS[in_app.status]:
        allowed = listed(
            sorted(RecommendationStatus(s).label.lower() for s in in_app.allowed_statuses),
            last="or",
        )
        errors.append(
            RowError(
                row.number,
                "status",
                f"{recommendation} is {in_app.get_status_display().lower()} in the app, so it "
                f"cannot become {RecommendationStatus(to_status).label.lower()}: it can become "
                f"{allowed}.",
            )
        )
    link = row.evidence if "evidence" in differences else ""
    for needed, column, what in (
        (to_status, "status", "change a recommendation's status"),
        (link, "evidence", "add evidence"),
    ):
        if needed and not by.has_perm(CHANGE_PERMISSIONS[column]):
            errors.append(
                RowError(
                    row.number,
                    column,
                    f"You are not allowed to {what}: ask someone who is, or undo this change.",
                )
            )
    if (
        to_status == RecommendationStatus.COMPLIED
        and not row.evidence
        and in_app.pk not in with_evidence
    ):
        errors.append(
            RowError(
                row.number,
                "evidence",
                "A complied recommendation needs evidence: give a link to it (starting "
                "https://), or add the evidence to the recommendation in the app first.",
            )
        )
    if errors:
        return None, errors
    return Change(row=row, recommendation=in_app, to_status=to_status, link=link), []


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
    evidence = list(
        Evidence.objects.filter(recommendation__in=list(existing.values())).values_list(
            "recommendation_id", "url"
        )
    )
    links = {(recommendation_id, url) for recommendation_id, url in evidence if url}
    with_evidence = {recommendation_id for recommendation_id, _ in evidence}
    first_rows: dict[tuple, Row] = {}
    row_of_recommendation: dict[tuple, int] = {}
    plan = Plan(existing_complaints, {}, [], 0, [])
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
        recommendation = _recommendation_name(row)
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
            errors += row.creation_problems
            plan.new_rows.append(row)
            continue
        change, refusals = _in_app_differences(
            row, in_app, by=by, links=links, with_evidence=with_evidence
        )
        errors += refusals
        if change is not None:
            plan.changes.append(change)
        elif len(errors) == before:
            plan.rows_unchanged += 1
    plan.new_complaints = {
        key: row for key, row in first_rows.items() if key not in existing_complaints
    }
    _check_extensions(plan, rows, existing, row_of_recommendation, errors, by=by)
    return plan


def _check_extensions(plan: Plan, rows, existing, row_of_recommendation, errors, *, by):
    """Each extension's check of its values against the app (``extensions``): once per
    recommendation (a repeated row is an error already)."""
    extended = [
        (row, existing.get(row.recommendation_key))
        for row in rows
        if row.extensions and row_of_recommendation.get(row.recommendation_key) == row.number
    ]
    for extension in tracker_extensions():
        errors += extension.check(
            [
                (row, in_app, row.extensions[extension.name])
                for row, in_app in extended
                if extension.name in row.extensions
            ],
            by=by,
        )
    plan.extended = extended
