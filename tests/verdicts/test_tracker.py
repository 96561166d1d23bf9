"""The spreadsheet tracker and a recommendation awaiting the Ombudsman: exported with the day
its evidence was sent, imported back unchanged, and never set or left by an import."""

from datetime import date

import pytest

from recommendations.models import RecommendationStatus
from recommendations.tracker_csv import ImportSummary, RowError, tracker_import
from tests.factories import recommendation_recorded
from tests.recommendations.test_tracker_round_trip import (
    AT,
    as_csv,
    as_workbook,
    edit,
    exported,
    refused,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("saved_as", [as_csv, as_workbook], ids=["csv", "xlsx"])
def test_an_awaiting_recommendation_exports_and_imports_back_unchanged(
    recommendation, sent, manager, saved_as
):
    rows = exported(manager)
    assert [(row["status"], row["completed_on"]) for row in rows] == [
        ("Evidence sent, awaiting the Ombudsman", "2022-02-20")
    ]
    before = snapshot()

    summary = tracker_import(file=saved_as(rows), by=manager, at=AT)

    assert summary == ImportSummary(
        complaints_created=0, recommendations_created=0, rows_unchanged=1
    )
    assert snapshot() == before


def test_an_import_cannot_decide_for_the_ombudsman(recommendation, sent, manager):
    rows = exported(manager)
    number = edit(rows, recommendation, status="Complied", completed_on="2022-03-01")

    assert RowError(
        number,
        "status",
        f"Recommendation 1 of complaint {recommendation.complaint.reference} for Croydon "
        "Council is evidence sent, awaiting the ombudsman in the app, so it cannot become "
        "complied by an import: evidence is sent, and the Ombudsman's reply recorded, in "
        "the app.",
    ) in refused(rows, manager)


def test_an_import_cannot_make_a_recommendation_await_the_ombudsman(manager):
    other = recommendation_recorded(by=manager, owner=manager)
    rows = exported(manager)
    number = edit(
        rows,
        other,
        status="Evidence sent, awaiting the Ombudsman",
        completed_on=date(2022, 2, 20).isoformat(),
    )

    errors = refused(rows, manager)

    assert [(error.row_number, error.column) for error in errors] == [(number, "status")]
    assert "by an import" in errors[0].message
    other.refresh_from_db()
    assert other.status == RecommendationStatus.OPEN
