"""Writing a checked plan through ``recommendations.services``."""

from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from ombudsman_tracker.csv_import import RowError
from ombudsman_tracker.history import history_note

from .. import services
from ..models import RecommendationStatus
from .checking import Row
from .errors import TrackerImportError
from .planning import Plan

IMPORT_REASON = "imported from a spreadsheet tracker"
EVIDENCE_DESCRIPTION = "Link recorded in the imported spreadsheet tracker"


def write_plan(plan: Plan, *, by, at: datetime):
    """Record the plan through the services. Call inside ``transaction.atomic()``."""
    with history_note(IMPORT_REASON):
        _write_rows(plan, by=by, at=at)


def _write_rows(plan: Plan, *, by, at: datetime):
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
    for row in plan.new_rows:
        with _reported_against(row):
            recommendation = services.recommendation_create(
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


@contextmanager
def _reported_against(row: Row):
    """Turn a refusal from the services (or a race lost to another user) into a row error."""
    try:
        yield
    except ValidationError as exc:
        raise TrackerImportError(errors=[RowError(row.number, "", " ".join(exc.messages))]) from exc
    except IntegrityError as exc:
        message = "Someone else recorded this complaint or recommendation while the file was read."
        raise TrackerImportError(errors=[RowError(row.number, "", message)]) from exc
