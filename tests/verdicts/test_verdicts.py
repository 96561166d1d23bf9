"""The Ombudsman's verdict on evidence sent: a recommendation is complied for the figures only
once the Ombudsman is satisfied; until then it is awaiting the Ombudsman, never overdue."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from dashboard import presentation as dashboard_presentation
from dashboard import selectors as dashboard_selectors
from deadlines.buckets import Bucket, bucket_expression, bucket_for
from deadlines.compliance import ComplianceFigures
from deadlines.models import (
    ComplianceRate,
    Deadline,
    DeadlineStatus,
    ExtensionBasis,
    ExtensionStatus,
    Outcome,
)
from ombudsman_tracker.history import ConflictError
from recommendations import services as recommendation_services
from recommendations.models import RecommendationStatus
from tests.verdicts.conftest import AT, DUE, verdict
from verdicts import services
from verdicts.models import ReplyStatus, Verdict, VerdictKind

pytestmark = pytest.mark.django_db

AFTER_DUE = DUE + timedelta(days=30)


def figures(recommendation, *, today=AFTER_DUE) -> ComplianceFigures:
    """The dashboard's figures for the recommendation's council, counted in SQL."""
    deadlines = Deadline.objects.filter(organisation=recommendation.organisation)
    return dashboard_selectors.compliance_figures(deadlines, today=today)


def rates(figures: ComplianceFigures) -> tuple:
    return tuple(
        (rate.counted, rate.all_due) for rate in figures.rates(lead=ComplianceRate.IMPLEMENTED)
    )


def headline(figures: ComplianceFigures) -> dict:
    shown = dashboard_presentation.headline(figures, lead=ComplianceRate.IMPLEMENTED)
    return {figure.id: figure.value for figure in shown}


# --- Awaiting ---------------------------------------------------------------------------------


def test_awaiting_the_ombudsman_is_not_complied_and_never_overdue(recommendation, sent):
    recommendation.refresh_from_db()
    deadline = recommendation.deadline

    # Before the due date: left out of the rates, like an open one not yet due.
    before = figures(recommendation, today=DUE - timedelta(days=1))
    assert (before.awaiting, before.awaiting_due, before.all_due, before.open) == (1, 0, 0, 0)
    # After it: due, and not complied in either rate, but not overdue.
    after = figures(recommendation)
    assert (after.awaiting, after.awaiting_due, after.overdue, after.all_due) == (0, 1, 0, 1)
    assert rates(after) == ((0, 1), (0, 1))
    assert headline(after)["awaiting"] == "1"
    assert headline(after)["overdue"] == "0"
    assert bucket_for(deadline, today=AFTER_DUE) == Bucket.AWAITING_DUE
    assert deadline.outcome(at=AFTER_DUE) == Outcome.AWAITING


def test_the_sql_buckets_agree_with_the_model_for_awaiting(recommendation, sent):
    for today in (DUE - timedelta(days=1), DUE, DUE + timedelta(days=1)):
        row = Deadline.objects.filter(pk=recommendation.deadline_id).annotate(
            bucket=bucket_expression(today=today)
        )
        deadline = row.get()
        assert deadline.bucket == bucket_for(deadline, today=today)


def test_an_awaiting_recommendation_cannot_be_marked_complied_directly(
    recommendation, sent, manager
):
    recommendation.refresh_from_db()
    assert recommendation.allowed_statuses == []

    with pytest.raises(ValidationError, match="record the Ombudsman's reply"):
        recommendation_services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.COMPLIED,
            by=manager,
            on=date(2022, 3, 1),
        )


def test_awaiting_is_reached_only_by_sending_the_evidence(recommendation, manager):
    assert RecommendationStatus.AWAITING_OMBUDSMAN not in recommendation.allowed_statuses

    with pytest.raises(ValidationError, match="when its evidence is sent"):
        recommendation_services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.AWAITING_OMBUDSMAN,
            by=manager,
            on=date(2022, 3, 1),
        )


# --- Satisfied ------------------------------------------------------------------------------


def test_satisfied_on_time_complies_the_recommendation_on_the_day_the_evidence_was_sent(
    recommendation, sent, manager
):
    recorded = verdict(recommendation, manager, kind=VerdictKind.SATISFIED)

    recommendation.refresh_from_db()
    deadline = recommendation.deadline
    assert recommendation.status == RecommendationStatus.COMPLIED
    assert (deadline.status, deadline.completed_on) == (DeadlineStatus.MET, date(2022, 2, 20))
    assert deadline.outcome(at=AFTER_DUE) == Outcome.COMPLIED_ON_TIME
    counted = figures(recommendation)
    assert (counted.on_time, counted.late, counted.awaiting_ombudsman) == (1, 0, 0)
    assert rates(counted) == ((1, 1), (1, 1))
    assert headline(counted)["on-time"] == "1"
    # The reply came: its deadline is met and no longer chased.
    sent.refresh_from_db()
    assert sent.status == ReplyStatus.ANSWERED
    assert (sent.deadline.status, sent.deadline.completed_on) == (
        DeadlineStatus.MET,
        date(2022, 3, 15),
    )
    # The letter is kept with its checksum.
    assert len(recorded.letter_sha256) == 64
    assert recorded.letter.name.endswith("satisfied.txt")
    assert recommendation.history.latest().history_change_reason == (
        "Status changed to Complied: The Ombudsman's verdict: Satisfied (letter of 15 March 2022)"
    )
    assert recorded.history.latest().history_change_reason == (
        "The Ombudsman's verdict, letter of 15 March 2022: Satisfied"
    )


def test_satisfied_after_evidence_sent_late_is_complied_late(recommendation, manager):
    services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 3, 4), by=manager
    )

    verdict(recommendation, manager, kind=VerdictKind.SATISFIED)

    recommendation.refresh_from_db()
    assert recommendation.deadline.outcome(at=AFTER_DUE) == Outcome.COMPLIED_LATE
    counted = figures(recommendation)
    assert rates(counted) == ((1, 1), (0, 1))


def test_satisfied_but_late_is_late_even_when_the_evidence_was_sent_on_time(
    recommendation, sent, manager
):
    with pytest.raises(ValidationError) as refused:
        verdict(recommendation, manager, kind=VerdictKind.SATISFIED_LATE)
    assert "completed_on" in refused.value.message_dict

    verdict(
        recommendation, manager, kind=VerdictKind.SATISFIED_LATE, completed_on=date(2022, 3, 10)
    )

    recommendation.refresh_from_db()
    deadline = recommendation.deadline
    assert recommendation.status == RecommendationStatus.COMPLIED
    assert deadline.completed_on == date(2022, 3, 10)  # the date the Ombudsman found
    assert deadline.outcome(at=AFTER_DUE) == Outcome.COMPLIED_LATE
    counted = figures(recommendation)
    assert (counted.on_time, counted.late) == (0, 1)
    assert rates(counted) == ((1, 1), (0, 1))
    assert headline(counted)["late"] == "1"


def test_satisfied_but_late_after_evidence_sent_late_needs_no_other_date(recommendation, manager):
    services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 3, 4), by=manager
    )

    verdict(recommendation, manager, kind=VerdictKind.SATISFIED_LATE)

    recommendation.refresh_from_db()
    assert recommendation.deadline.completed_on == date(2022, 3, 4)
    assert recommendation.deadline.outcome(at=AFTER_DUE) == Outcome.COMPLIED_LATE


def test_satisfied_needs_the_letter_of_satisfaction(recommendation, sent, manager):
    with pytest.raises(ValidationError) as refused:
        verdict(recommendation, manager, kind=VerdictKind.SATISFIED, letter=None)

    assert refused.value.message_dict == {
        "letter": ["Attach the Ombudsman's letter of satisfaction"]
    }
    assert not Verdict.objects.exists()


# --- Not satisfied ----------------------------------------------------------------------------


def test_not_satisfied_puts_the_recommendation_back_in_progress_with_the_new_date(
    recommendation, sent, manager
):
    verdict(
        recommendation,
        manager,
        kind=VerdictKind.NOT_SATISFIED,
        next_steps="Send the briefing's attendance list.",
        new_due_date=date(2022, 4, 30),
    )

    recommendation.refresh_from_db()
    deadline = recommendation.deadline
    assert recommendation.status == RecommendationStatus.IN_PROGRESS
    assert (deadline.status, deadline.due_date, deadline.original_due_date) == (
        DeadlineStatus.OPEN,
        date(2022, 4, 30),
        DUE,
    )
    extension = deadline.extensions.get()
    assert (extension.status, extension.basis, extension.basis_reference) == (
        ExtensionStatus.AGREED,
        ExtensionBasis.STATED_BY_OMBUDSMAN,
        "The Ombudsman's letter of 15 March 2022",
    )
    assert extension.reason == (
        "The Ombudsman is not satisfied and asks: Send the briefing's attendance list."
    )
    # Open and not yet due on the new date: out of the rates, not overdue, chased again.
    counted = figures(recommendation)
    assert (counted.overdue, counted.open, counted.all_due) == (0, 1, 0)
    assert deadline.outcome(at=AFTER_DUE) == Outcome.OPEN
    # Complied only once the Ombudsman is satisfied: no direct "mark complied" any more.
    with pytest.raises(ValidationError, match="only once the Ombudsman is satisfied"):
        recommendation_services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.COMPLIED,
            by=manager,
            on=date(2022, 4, 1),
        )


def test_evidence_sent_again_by_the_new_date_and_satisfied_is_on_time(
    recommendation, sent, manager
):
    verdict(
        recommendation,
        manager,
        kind=VerdictKind.NOT_SATISFIED,
        next_steps="Send the attendance list.",
        new_due_date=date(2022, 4, 30),
    )
    services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 4, 20), by=manager
    )

    verdict(
        recommendation,
        manager,
        kind=VerdictKind.SATISFIED,
        letter_date=date(2022, 5, 2),
        at=AT.replace(month=5, day=3),
    )

    recommendation.refresh_from_db()
    assert recommendation.deadline.outcome(at=date(2022, 6, 1)) == Outcome.COMPLIED_ON_TIME
    assert Verdict.objects.count() == 2


def test_not_satisfied_needs_what_is_asked_and_a_later_date(recommendation, sent, manager):
    with pytest.raises(ValidationError) as refused:
        verdict(recommendation, manager, kind=VerdictKind.NOT_SATISFIED, new_due_date=DUE)

    assert set(refused.value.message_dict) == {"next_steps", "new_due_date"}
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.AWAITING_OMBUDSMAN


# --- Further report ---------------------------------------------------------------------------


def test_a_further_report_means_the_recommendation_is_not_complied(recommendation, sent, manager):
    verdict(recommendation, manager, kind=VerdictKind.FURTHER_REPORT)

    recommendation.refresh_from_db()
    deadline = recommendation.deadline
    assert recommendation.status == RecommendationStatus.NOT_COMPLIED
    assert (deadline.status, deadline.completed_on) == (DeadlineStatus.NOT_MET, date(2022, 3, 15))
    assert deadline.outcome(at=AFTER_DUE) == Outcome.NOT_COMPLIED
    counted = figures(recommendation)
    assert (counted.not_complied, counted.awaiting_ombudsman) == (1, 0)
    assert rates(counted) == ((0, 1), (0, 1))


# --- Refusals -----------------------------------------------------------------------------------


def test_a_verdict_recorded_from_a_stale_page_is_refused(recommendation, sent, manager, officer):
    recommendation.refresh_from_db()
    seen = recommendation.version
    verdict(recommendation, manager, kind=VerdictKind.FURTHER_REPORT)

    with pytest.raises(ConflictError):
        services.verdict_record(
            recommendation=recommendation,
            kind=VerdictKind.SATISFIED,
            letter_date=date(2022, 3, 15),
            by=officer,
            at=AT,
            version=seen,
        )
    assert Verdict.objects.count() == 1


def test_a_verdict_needs_evidence_awaiting_a_reply(recommendation, manager):
    with pytest.raises(ValidationError, match="awaiting the Ombudsman's reply"):
        verdict(recommendation, manager, kind=VerdictKind.FURTHER_REPORT)


def test_the_letter_cannot_predate_the_evidence(recommendation, sent, manager):
    with pytest.raises(ValidationError) as refused:
        verdict(
            recommendation, manager, kind=VerdictKind.FURTHER_REPORT, letter_date=date(2022, 2, 1)
        )

    assert "letter_date" in refused.value.message_dict
