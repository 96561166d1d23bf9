"""Evidence sent to the Ombudsman: the recommendation awaits the verdict, and a reply that does
not come is chased."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from deadlines.models import DeadlineKind, DeadlineStatus, Outcome
from recommendations import services as recommendation_services
from recommendations.models import RecommendationStatus
from reminders.services import reminders_due
from tests.factories import complaint_recorded, recommendation_recorded
from verdicts import services
from verdicts.models import AwaitedReply, ReplyStatus

pytestmark = pytest.mark.django_db

DUE = date(2022, 2, 26)  # the recommendation's due date (3 months from the report)


@pytest.fixture
def recommendation(manager):
    # Not a public interest report: no statutory clocks to be reminded of besides.
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    return recommendation_recorded(complaint=complaint, by=manager, owner=manager)


def test_evidence_sent_makes_the_recommendation_await_the_ombudsman_and_starts_a_reply_deadline(
    recommendation, manager, settings
):
    settings.OMBUDSMAN_REPLY_DAYS = 28

    awaited = services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager, reference="S-1"
    )

    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.AWAITING_OMBUDSMAN
    assert recommendation.get_status_display() == "Evidence sent, awaiting the Ombudsman"
    deadline = recommendation.deadline
    assert (deadline.status, deadline.completed_on) == (DeadlineStatus.AWAITING, date(2022, 2, 20))
    # Awaiting is never overdue, even long after the due date.
    assert deadline.outcome(at=date(2023, 1, 1)) == Outcome.AWAITING
    reply = awaited.deadline
    assert (reply.kind, reply.due_date, reply.owner, reply.status) == (
        DeadlineKind.OMBUDSMAN_REPLY,
        date(2022, 3, 20),
        manager,
        DeadlineStatus.OPEN,
    )
    assert reply.ombudsman_reply == awaited
    assert reply.get_absolute_url() == recommendation.get_absolute_url()
    assert (awaited.sent_on, awaited.reference, awaited.status) == (
        date(2022, 2, 20),
        "S-1",
        ReplyStatus.AWAITING,
    )
    assert awaited.history.latest().history_change_reason == (
        "Evidence sent to the Ombudsman on 20 February 2022 (S-1)"
    )
    assert recommendation.history.latest().history_change_reason == (
        "Status changed to Evidence sent, awaiting the Ombudsman: Evidence sent to the "
        "Ombudsman on 20 February 2022 (S-1)"
    )


def test_the_reply_period_comes_from_the_setting(recommendation, manager, settings):
    settings.OMBUDSMAN_REPLY_DAYS = 10

    awaited = services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager
    )

    assert awaited.deadline.due_date == date(2022, 3, 2)


def test_a_reply_that_has_not_come_is_reminded_and_the_recommendation_is_not(
    recommendation, manager, settings
):
    settings.OMBUDSMAN_REPLY_DAYS = 28
    awaited = services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager
    )

    due = list(reminders_due(today=date(2022, 3, 25)))

    assert {item.deadline_id for item in due} == {awaited.deadline_id}


def test_sending_again_supersedes_the_reply_awaited(recommendation, manager):
    first = services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager
    )

    second = services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 3, 1), by=manager, reference="S-2"
    )

    first.refresh_from_db()
    first.deadline.refresh_from_db()
    assert first.status == ReplyStatus.SUPERSEDED
    assert first.deadline.status == DeadlineStatus.WITHDRAWN
    assert first.deadline.history.latest().history_change_reason == (
        "Superseded: Evidence sent to the Ombudsman on 1 March 2022 (S-2)"
    )
    assert second.status == ReplyStatus.AWAITING
    assert list(AwaitedReply.objects.filter(status=ReplyStatus.AWAITING)) == [second]
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.AWAITING_OMBUDSMAN


def test_evidence_cannot_be_sent_for_a_withdrawn_recommendation(recommendation, manager):
    recommendation_services.recommendation_transition(
        recommendation=recommendation,
        to_status=RecommendationStatus.WITHDRAWN,
        by=manager,
        on=date(2022, 1, 1),
    )

    with pytest.raises(ValidationError, match="withdrawn"):
        services.evidence_sent_record(
            recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager
        )
    assert not AwaitedReply.objects.exists()
