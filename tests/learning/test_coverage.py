"""Coverage arithmetic: who counts, once each, leavers out, latecomers in and flagged."""

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning import selectors, services
from learning.models import AcknowledgementHow
from tests.factories import learning_point_recorded, person_added

from .conftest import LATER, PUBLISHED

pytestmark = pytest.mark.django_db


def _acknowledge(person, point, at=LATER):
    services._acknowledgement_record(
        person=person, learning_version=point.current_version, how=AcknowledgementHow.APP, at=at
    )


def _figures(figures):
    return (
        figures.people,
        figures.acknowledged,
        figures.attended,
        figures.added_after_delivery,
        figures.leavers,
    )


def test_a_person_in_two_teams_counts_once_overall_and_once_in_each(
    point, croydon, front_door, police
):
    both = person_added(organisation=croydon, name="Asha Patel", audiences=[front_door, police])
    person_added(organisation=croydon, name="Ben Cole", audiences=[front_door])
    person_added(organisation=croydon, name="Cara Dunn", audiences=[police])
    _acknowledge(both, point)

    covered = selectors.coverage(learning_point=point, at=LATER)

    assert _figures(covered.overall) == (3, 1, 0, 0, 0)
    assert [(row.audience.name, _figures(row.figures)) for row in covered.audiences] == [
        ("Front door (MASH)", (2, 1, 0, 0, 0)),
        ("Police child abuse investigation team", (2, 1, 0, 0, 0)),
    ]
    assert covered.overall.share == Fraction(1, 3)
    assert covered.overall.percent == "33%"


def test_leavers_are_out_of_every_figure_whether_they_left_before_publication_or_since(
    point, croydon, front_door
):
    stays = person_added(organisation=croydon, name="Asha Patel", audiences=[front_door])
    person_added(
        organisation=croydon,
        name="Left Before",
        audiences=[front_door],
        left_on=date(2022, 1, 20),
    )
    left_since = person_added(
        organisation=croydon,
        name="Left Since",
        audiences=[front_door],
        left_on=date(2022, 2, 15),
    )
    _acknowledge(left_since, point, at=datetime(2022, 2, 10, tzinfo=UTC))  # then left
    _acknowledge(stays, point)

    covered = selectors.coverage(learning_point=point, at=LATER)

    assert _figures(covered.overall) == (1, 1, 0, 0, 2)
    assert covered.overall.percent == "100%"


def test_someone_leaving_after_the_moment_still_counts_then(point, croydon, front_door):
    person_added(
        organisation=croydon, name="Leaving Soon", audiences=[front_door], left_on=date(2022, 4, 1)
    )

    covered = selectors.coverage(learning_point=point, at=LATER)

    assert (covered.overall.people, covered.overall.leavers) == (1, 0)


def test_people_added_after_delivery_are_counted_and_flagged(point, croydon, front_door):
    early = person_added(organisation=croydon, name="Early", audiences=[front_door])
    person_added(
        organisation=croydon, name="Late Joiner", audiences=[front_door], added_on=date(2022, 2, 20)
    )
    _acknowledge(early, point)

    covered = selectors.coverage(learning_point=point, at=LATER)

    assert _figures(covered.overall) == (2, 1, 0, 1, 0)
    assert covered.overall.percent == "50%"
    assert covered.overall.outstanding == 1


def test_people_added_after_the_moment_are_not_counted_yet(point, croydon, front_door):
    person_added(
        organisation=croydon, name="Future", audiences=[front_door], added_on=date(2022, 5, 1)
    )

    assert selectors.coverage(learning_point=point, at=LATER).overall.people == 0


def test_an_acknowledgement_after_the_moment_does_not_count_then(point, croydon, front_door):
    person = person_added(organisation=croydon, audiences=[front_door])
    _acknowledge(person, point, at=datetime(2022, 3, 10, tzinfo=UTC))

    before = selectors.coverage(learning_point=point, at=LATER)
    after = selectors.coverage(learning_point=point, at=date(2022, 3, 10))

    assert (before.overall.acknowledged, after.overall.acknowledged) == (0, 1)


def test_nobody_to_reach_is_no_rate_not_zero(point):
    covered = selectors.coverage(learning_point=point, at=LATER)

    assert (covered.overall.share, covered.overall.percent) == (None, "\N{EN DASH}")
    assert covered.text == "\N{EN DASH} of 0 people acknowledged version 1"


def test_a_new_version_starts_coverage_again(point, croydon, front_door, manager):
    person = person_added(organisation=croydon, audiences=[front_door])
    _acknowledge(person, point)

    services.learning_point_publish(
        learning_point=point,
        version=point.version,
        text="Contact the other council on the day, and record it.",
        change_note="Record the contact",
        by=manager,
        at=datetime(2022, 3, 5, tzinfo=UTC),
    )
    covered = selectors.coverage(learning_point=point, at=datetime(2022, 3, 6, tzinfo=UTC))

    assert (covered.overall.people, covered.overall.acknowledged) == (1, 0)
    assert covered.text == "0% of 1 person acknowledged version 2"


def test_coverage_of_many_points_runs_a_fixed_number_of_queries(
    recommendation, manager, croydon, front_door, police
):
    def measure(count):
        points = [
            learning_point_recorded(
                recommendation=recommendation,
                by=manager,
                audiences=[front_door, police],
                title=f"Point {n}",
                at=PUBLISHED,
            )
            for n in range(count)
        ]
        for n in range(count * 3):
            person = person_added(
                organisation=croydon, name=f"Person {count}-{n}", audiences=[front_door]
            )
            _acknowledge(person, points[0])
        with CaptureQueriesContext(connection) as queries:
            selectors.coverage_by_learning_point(learning_points=points, at=LATER)
        return len(queries)

    assert measure(1) == measure(6) == 4


def test_coverage_by_recommendation_groups_the_points(point, recommendation, croydon, front_door):
    person_added(organisation=croydon, audiences=[front_door])

    grouped = selectors.coverage_by_recommendation(recommendations=[recommendation], at=LATER)

    assert list(grouped) == [recommendation.pk]
    assert [covered.learning_point for covered in grouped[recommendation.pk]] == [point]
    assert grouped[recommendation.pk][0].overall.people == 1
