from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import complaint_recorded, recommendation_recorded
from verdicts import services

DUE = date(2022, 2, 26)  # the recommendation's due date: 3 months from the report
AT = datetime(2022, 4, 1, 10, 0, tzinfo=UTC)  # when the verdict is recorded


def letter_of_satisfaction() -> SimpleUploadedFile:
    return SimpleUploadedFile("satisfied.txt", b"The Ombudsman is satisfied.\n")


@pytest.fixture
def recommendation(manager):
    # Not a public interest report: no statutory clocks besides.
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    return recommendation_recorded(complaint=complaint, by=manager, owner=manager)


@pytest.fixture
def sent(recommendation, manager):
    """Evidence sent by the due date."""
    return services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager, reference="S-1"
    )


def verdict(recommendation, by, **fields):
    recommendation.refresh_from_db()
    fields.setdefault("letter_date", date(2022, 3, 15))
    if fields["kind"] in ("satisfied", "satisfied_late"):
        fields.setdefault("letter", letter_of_satisfaction())
    at = fields.pop("at", AT)
    return services.verdict_record(
        recommendation=recommendation,
        by=by,
        at=at,
        version=recommendation.version,
        **fields,
    )
