"""Writing a checked plan through ``recommendations.services``."""

from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from deadlines.arithmetic import DateOutOfRangeError
from ombudsman_tracker.csv_import import RowError
from ombudsman_tracker.history import ConflictError, history_note

from .. import services
from ..models import RecommendationStatus
from .checking import Row
from .errors import TrackerImportError
from .extensions import tracker_extensions
from .planning import Change, Plan

IMPORT_REASON = "imported from a spreadsheet tracker"
EVIDENCE_DESCRIPTION = "Link recorded in the imported spreadsheet tracker"
# Recording a recommendation takes tens of milliseconds: progress every second or two.
WRITE_PROGRESS_EVERY = 50  # complaints and recommendations
RECORDED_MEANWHILE = "Someone else recorded this complaint while the file was read."
CHANGED_MEANWHILE = (
    "Someone else changed this recommendation in the app while the file was read: export the "
    "tracker again and make the change in the new file."
)


def write_plan(plan: Plan, *, by, at: datetime, written: Callable[[int], None] | None = None):
    """Record the plan through the services. Call inside ``transaction.atomic()``.

    ``written(records)`` is called after every ``WRITE_PROGRESS_EVERY`` complaints and
    recommendations recorded or changed, and once at the end.
    """
    count = 0

    def recorded():
        nonlocal count
        count += 1
        if written and count % WRITE_PROGRESS_EVERY == 0:
            written(count)

    with history_note(IMPORT_REASON):
        _write_rows(plan, by=by, at=at, recorded=recorded)
    if written:
        written(count)


def _write_rows(plan: Plan, *, by, at: datetime, recorded: Callable[[], None]):
    today = timezone.localdate(at)
    complaints = dict(plan.existing_complaints)
    for key, row in plan.new_complaints.items():
        with _reported_against(row):
            complaints[key] = services.complaint_create(
                ombudsman=row.ombudsman,
                reference=row.reference,
                title=row.title,
                service_area=row.service_area,
                finding=row.finding,
                is_public_interest_report=row.public_interest_report,
                report_date=row.report_date,
                received_date=row.received_date,
                organisations=row.organisations,
                by=by,
            )
        recorded()
    created = {}
    for row in plan.new_rows:
        with _reported_against(row):
            recommendation = created[row.recommendation_key] = services.recommendation_create(
                complaint=complaints[row.complaint_key],
                organisation=row.organisation,
                number=row.recommendation_number,
                text=row.text,
                kind=row.kind,
                expected_evidence=row.expected_evidence,
                owner=row.owner,
                by=by,
                rule=row.rule.service_arguments(stated_date=row.due_date),
            )
            if row.evidence:
                services.evidence_add(
                    recommendation=recommendation,
                    description=EVIDENCE_DESCRIPTION,
                    url=row.evidence,
                    by=by,
                    at=at,
                )
            if row.status != RecommendationStatus.OPEN:
                services.recommendation_transition(
                    recommendation=recommendation,
                    to_status=row.status,
                    by=by,
                    on=row.completed_on or today,
                )
        recorded()
    for change in plan.changes:
        with _reported_against(change.row, conflict=CHANGED_MEANWHILE):
            _change(change, by=by, at=at, today=today)
        recorded()
    for row, in_app in plan.extended:
        recommendation = in_app or created[row.recommendation_key]
        with _reported_against(row, conflict=CHANGED_MEANWHILE):
            for extension in tracker_extensions():
                if extension.name in row.extensions:
                    extension.write(recommendation, row.extensions[extension.name], by=by, at=at)


def _change(change: Change, *, by, at: datetime, today: date):
    """An exported row's change, as the evidence and status pages would make it."""
    row = change.row
    if change.link:
        services.evidence_add(
            recommendation=change.recommendation,
            description=EVIDENCE_DESCRIPTION,
            url=change.link,
            by=by,
            at=at,
        )
    if change.to_status:
        services.recommendation_transition(
            recommendation=change.recommendation,
            to_status=change.to_status,
            by=by,
            on=row.completed_on or today,
            version=row.version,  # refused if changed since the file was exported
        )


@contextmanager
def _reported_against(row: Row, *, conflict: str = RECORDED_MEANWHILE):
    """Turn a refusal from the services (or a race lost to another user) into a row error."""
    try:
        yield
    except ValidationError as exc:
        raise TrackerImportError(errors=[RowError(row.number, "", " ".join(exc.messages))]) from exc
    except DateOutOfRangeError as exc:
        # A statutory clock counted from a date near the end of the calendar (year 9999).
        raise TrackerImportError(errors=[RowError(row.number, "", str(exc))]) from exc
    except ConflictError as exc:
        raise TrackerImportError(errors=[RowError(row.number, "", conflict)]) from exc
