"""Action plans in the spreadsheet tracker: a milestones column, one milestone a line, that
round-trips like the rest of the tracker and is imported all or nothing."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from deadlines.models import DeadlineKind, DeadlineStatus
from organisations.models import Organisation
from plans.models import Milestone, MilestoneStatus
from recommendations.models import Recommendation
from recommendations.selectors import recommendations_visible_to
from recommendations.tracker_csv import (
    COLUMNS,
    IMPORT_COLUMNS,
    TrackerImportError,
    tracker_export,
    tracker_import,
    tracker_template_csv,
)
from tests.recommendations.test_tracker_csv import tracker_file, tracker_row

pytestmark = pytest.mark.django_db

AT = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)
PLAN = "\n".join(
    [
        "Briefing written | 2022-01-14 | officer | done 2022-01-10",
        "Briefing delivered to the front door | 01/02/2022 | | in progress",
        "Report to committee | 2022-03-15 | officer | planned",
        "Newsletter item | 2022-02-01 | | dropped",
    ]
)


@pytest.fixture
def importer(manager, officer):
    Organisation.objects.get_or_create(name="Kent County Council")
    return manager


def _import(*rows, by, header=None):
    names = header or [column.name for column in COLUMNS]
    return tracker_import(file=tracker_file(*rows, header=names), by=by, at=AT)


def _export(user) -> list[dict]:
    out = io.StringIO(newline="")
    tracker_export(
        recommendations=recommendations_visible_to(user).order_by("number"), out=out, at=AT.date()
    )
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def _milestones():
    return [
        (m.title, m.deadline.due_date, m.deadline.owner_id and m.deadline.owner.username, m.status)
        for m in Milestone.objects.select_related("deadline__owner").order_by("order")
    ]


def _written():
    return (Recommendation.objects.count(), Milestone.objects.count(), Milestone.history.count())


def test_the_template_and_the_export_have_the_milestones_column_before_the_apps_own():
    names = [column.name for column in COLUMNS]
    template = io.StringIO()
    tracker_template_csv(template)

    assert names.index("milestones") == names.index("evidence") + 1
    assert names[-1] == "version"
    assert template.getvalue().strip().split(",")[-1] == "milestones"
    assert IMPORT_COLUMNS[-1].name == "milestones"


def test_a_tracker_with_a_plan_records_its_milestones_as_deadlines(importer):
    _import(tracker_row(milestones=PLAN), by=importer)

    assert _milestones() == [
        ("Briefing written", date(2022, 1, 14), "officer", MilestoneStatus.DONE),
        ("Briefing delivered to the front door", date(2022, 2, 1), None, "in_progress"),
        ("Report to committee", date(2022, 3, 15), "officer", MilestoneStatus.PLANNED),
        ("Newsletter item", date(2022, 2, 1), None, MilestoneStatus.DROPPED),
    ]
    done = Milestone.objects.select_related("deadline").get(title="Briefing written")
    assert (done.deadline.kind, done.deadline.status, done.actual_date) == (
        DeadlineKind.MILESTONE,
        DeadlineStatus.MET,
        date(2022, 1, 10),
    )
    assert done.history.earliest().history_change_reason == (
        "Milestone added (imported from a spreadsheet tracker)"
    )


def test_an_export_imported_back_changes_nothing(importer):
    _import(tracker_row(milestones=PLAN), by=importer)
    exported = _export(importer)
    before = _written()

    _import(*exported, by=importer)

    assert exported[0]["milestones"] == PLAN.replace("01/02/2022", "2022-02-01")
    assert _written() == before


def test_lines_added_to_an_export_are_added_at_the_end_of_the_plan(importer):
    _import(tracker_row(milestones=PLAN), by=importer)
    [row] = _export(importer)

    _import(
        row
        | {"milestones": row["milestones"] + "\nResponse to the LGSCO | 2022-03-31 | | planned"},
        by=importer,
    )

    assert [title for title, *_ in _milestones()][-1] == "Response to the LGSCO"
    assert Milestone.objects.count() == 5


def test_a_row_changing_a_milestone_in_the_app_is_refused_and_nothing_is_written(importer):
    _import(tracker_row(milestones=PLAN), by=importer)
    [row] = _export(importer)
    before = _written()
    moved = row["milestones"].replace("2022-03-15", "2022-04-15")
    new = tracker_row(
        recommendation_number="2", milestones="Audit sample drawn | 2022-02-01 | | planned"
    )

    with pytest.raises(TrackerImportError) as error:
        _import(row | {"milestones": moved}, new, by=importer)

    [problem] = error.value.errors
    assert (problem.row_number, problem.column) == (2, "milestones")
    assert "changes at milestone 3 ('Report to committee | 2022-03-15 | officer | planned' in" in (
        problem.message
    )
    assert _written() == before


def test_unreadable_milestones_are_row_errors_and_the_whole_file_is_refused(importer):
    bad = "\n".join(
        [
            "Briefing written | 2022-02-30 | officer | planned",
            "Audit | 2022-02-01 | nobody | planned",
            "Report | 2022-03-01 | | done",
            "Only two parts | 2022-03-01",
        ]
    )

    with pytest.raises(TrackerImportError) as error:
        _import(tracker_row(), tracker_row(recommendation_number="2", milestones=bad), by=importer)

    assert [(e.row_number, e.column) for e in error.value.errors] == [(3, "milestones")] * 4
    assert [e.message.split(":")[0] for e in error.value.errors] == [
        "Milestone 1 ('Briefing written | 2022-02-30 | officer | planned')",
        "Milestone 2 ('Audit | 2022-02-01 | nobody | planned')",
        "Milestone 3 ('Report | 2022-03-01 | | done')",
        "Milestone 4 ('Only two parts | 2022-03-01')",
    ]
    assert _written() == (0, 0, 0)


def test_an_owner_from_another_council_is_refused(importer):
    from accounts.roles import Role
    from tests.factories import user_with_role

    user_with_role(
        Role.OFFICER,
        username="kent-officer",
        organisation=Organisation.objects.get(name="Kent County Council"),
    )

    with pytest.raises(TrackerImportError) as error:
        _import(
            tracker_row(milestones="Briefing | 2022-01-14 | kent-officer | planned"), by=importer
        )

    assert [e.message for e in error.value.errors] == [
        "Milestone 1: the owner kent-officer must work for Croydon Council and be able to sign in."
    ]
    assert _written() == (0, 0, 0)
