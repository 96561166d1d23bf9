"""The rules for complaints, recommendations, deadlines and extensions, as users meet them."""

import hashlib
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines import services as deadline_services
from deadlines.arithmetic import Counting, Unit
from deadlines.models import (
    Anchor,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    ExtensionBasis,
    ExtensionStatus,
    Outcome,
)
from organisations.models import Organisation
from recommendations import services
from recommendations.models import RecommendationStatus
from tests.factories import complaint_recorded, recommendation_recorded

pytestmark = pytest.mark.django_db

NOW = datetime(2022, 1, 10, 9, 30, tzinfo=UTC)


def _evidence(recommendation, user):
    return services.evidence_add(
        recommendation=recommendation,
        description="Briefing note",
        url="https://intranet.example.org/briefing",
        by=user,
        at=NOW,
    )


class TestStatutoryClocks:
    def test_public_interest_report_gets_four_clocks_per_organisation(self, manager):
        kent = Organisation.objects.create(name="Kent County Council")
        complaint = complaint_recorded(organisations=[manager.organisation, kent], by=manager)

        clocks = {
            (clock.organisation.name, clock.kind): clock.due_date
            for clock in complaint.deadlines.filter(kind__in=DeadlineKind.statutory())
        }

        for council in ("Croydon Council", "Kent County Council"):
            assert clocks[(council, DeadlineKind.S31_RESPONSE)] == date(2022, 2, 25)
            assert clocks[(council, DeadlineKind.S31_CONFIRMATION)] == date(2022, 5, 24)
            assert clocks[(council, DeadlineKind.S30_PUBLIC_NOTICE)] == date(2021, 12, 9)
            assert clocks[(council, DeadlineKind.S30_INSPECTION)] == date(2021, 12, 29)
        assert len(clocks) == 8

    def test_clock_shows_which_date_it_counts_from(self, manager):
        complaint = complaint_recorded(by=manager, received_date=date(2021, 11, 30))

        response = complaint.deadlines.get(kind=DeadlineKind.S31_RESPONSE)

        assert response.due_date == date(2022, 2, 28)
        assert response.rule_description == (
            "A period of 3 months beginning with the date the report was received "
            "(30 November 2021) (ends the day before the corresponding date, or on the last "
            "day of the month where there is none)"
        )

    def test_no_clocks_for_an_ordinary_decision(self, manager):
        complaint = complaint_recorded(by=manager, public_interest_report=False)

        assert complaint.deadlines.count() == 0

    def test_clocks_wait_for_the_date_received_and_are_not_duplicated(self, manager):
        complaint = complaint_recorded(by=manager, received_date=None)
        assert set(complaint.deadlines.values_list("kind", flat=True)) == set()

        services.complaint_update(
            complaint=complaint,
            version=complaint.version,
            by=manager,
            received_date=date(2021, 11, 29),
        )
        deadline_services.statutory_clocks_generate(complaint=complaint, by=manager)

        assert complaint.deadlines.count() == 4
        assert complaint.deadlines.get(kind=DeadlineKind.S31_RESPONSE).due_date == date(2022, 2, 28)


class TestRecommendationDeadlines:
    def test_rule_gives_due_date_and_keeps_original(self, manager):
        recommendation = recommendation_recorded(by=manager)

        deadline = recommendation.deadline
        assert deadline.due_date == deadline.original_due_date == date(2022, 2, 26)
        assert deadline.computed_due_date == date(2022, 2, 26)
        assert deadline.anchor_date == date(2021, 11, 26)

    def test_stated_date_is_stored_as_given(self, manager):
        recommendation = recommendation_recorded(
            by=manager, rule={"counting": Counting.STATED, "stated_date": date(2022, 3, 1)}
        )

        assert recommendation.deadline.due_date == date(2022, 3, 1)
        assert recommendation.deadline.rule_description == "A date stated by the Ombudsman"

    def test_working_days_rule(self, manager):
        complaint = complaint_recorded(
            by=manager, report_date=date(2026, 12, 24), received_date=date(2026, 12, 24)
        )
        recommendation = recommendation_recorded(
            complaint=complaint,
            by=manager,
            rule={
                "counting": Counting.WITHIN,
                "count": 3,
                "unit": Unit.WORKING_DAYS,
                "anchor": Anchor.REPORT_DATE,
            },
        )

        assert recommendation.deadline.due_date == date(2026, 12, 31)

    def test_changing_the_report_date_moves_open_deadlines_counted_from_it(self, manager):
        recommendation = recommendation_recorded(by=manager)
        complaint = recommendation.complaint

        services.complaint_update(
            complaint=complaint,
            version=complaint.version,
            by=manager,
            report_date=date(2021, 11, 20),
        )

        recommendation.deadline.refresh_from_db()
        assert recommendation.deadline.due_date == date(2022, 2, 20)

    def test_rule_counting_from_missing_date_is_refused(self, manager):
        complaint = complaint_recorded(by=manager, received_date=None)

        with pytest.raises(ValidationError, match="not been recorded"):
            recommendation_recorded(
                complaint=complaint,
                by=manager,
                rule={
                    "counting": Counting.WITHIN,
                    "count": 3,
                    "unit": Unit.MONTHS,
                    "anchor": Anchor.RECEIVED_DATE,
                },
            )

    def test_override_needs_a_reason_and_keeps_the_rule_visible(self, manager):
        deadline = recommendation_recorded(by=manager).deadline

        with pytest.raises(ValidationError, match="reason"):
            deadline_services.deadline_override(
                deadline=deadline, due_date=date(2022, 3, 1), reason=" ", by=manager
            )
        deadline_services.deadline_override(
            deadline=deadline,
            due_date=date(2022, 3, 1),
            reason="Legal advice: count from receipt",
            by=manager,
        )

        deadline.refresh_from_db()
        assert (deadline.due_date, deadline.computed_due_date) == (
            date(2022, 3, 1),
            date(2022, 2, 26),
        )


class TestTransitions:
    def test_complied_is_refused_without_evidence(self, manager):
        recommendation = recommendation_recorded(by=manager)

        with pytest.raises(ValidationError, match="Add evidence before marking"):
            services.recommendation_transition(
                recommendation=recommendation,
                to_status=RecommendationStatus.COMPLIED,
                by=manager,
                on=date(2022, 2, 1),
            )
        recommendation.refresh_from_db()
        assert recommendation.status == RecommendationStatus.OPEN

    @pytest.mark.parametrize(
        ("on", "outcome"),
        [
            (date(2022, 2, 26), Outcome.COMPLIED_ON_TIME),
            (date(2022, 2, 27), Outcome.COMPLIED_LATE),
        ],
    )
    def test_complied_on_or_before_the_due_date_is_on_time(self, manager, on, outcome):
        recommendation = recommendation_recorded(by=manager)
        _evidence(recommendation, manager)

        services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.COMPLIED,
            by=manager,
            on=on,
        )

        recommendation.deadline.refresh_from_db()
        assert recommendation.deadline.status == DeadlineStatus.MET
        assert recommendation.outcome(at=date(2023, 1, 1)) == outcome

    def test_not_complied_and_reopening(self, manager):
        recommendation = recommendation_recorded(by=manager)
        services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.NOT_COMPLIED,
            by=manager,
            on=date(2022, 3, 1),
        )
        assert recommendation.outcome(at=date(2022, 4, 1)) == Outcome.NOT_COMPLIED

        services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.IN_PROGRESS,
            by=manager,
            on=date(2022, 3, 2),
        )

        recommendation.deadline.refresh_from_db()
        assert recommendation.deadline.completed_on is None
        assert recommendation.outcome(at=date(2022, 4, 1)) == Outcome.OVERDUE

    @pytest.mark.parametrize(
        ("start", "refused"),
        [
            (RecommendationStatus.WITHDRAWN, RecommendationStatus.COMPLIED),
            (RecommendationStatus.NOT_COMPLIED, RecommendationStatus.COMPLIED),
            (RecommendationStatus.IN_PROGRESS, RecommendationStatus.OPEN),
        ],
    )
    def test_transitions_outside_the_map_are_refused(self, manager, start, refused):
        recommendation = recommendation_recorded(by=manager)
        _evidence(recommendation, manager)
        if start != RecommendationStatus.OPEN:
            services.recommendation_transition(
                recommendation=recommendation, to_status=start, by=manager, on=date(2022, 1, 1)
            )

        with pytest.raises(ValidationError, match="cannot become"):
            services.recommendation_transition(
                recommendation=recommendation, to_status=refused, by=manager, on=date(2022, 1, 2)
            )

    def test_open_deadlines_are_overdue_after_the_last_day(self, manager):
        recommendation = recommendation_recorded(by=manager)

        assert recommendation.outcome(at=date(2022, 2, 26)) == Outcome.OPEN
        assert recommendation.outcome(at=date(2022, 2, 27)) == Outcome.OVERDUE
        assert list(
            Deadline.objects.overdue(at=date(2022, 2, 27)).filter(kind=DeadlineKind.RECOMMENDATION)
        ) == [recommendation.deadline]


class TestExtensions:
    def test_recorded_extension_moves_the_date_and_keeps_the_original(self, manager):
        deadline = recommendation_recorded(by=manager).deadline

        extension = deadline_services.extension_record(
            deadline=deadline,
            new_due_date=date(2022, 4, 30),
            reason="Committee meets in April",
            basis=ExtensionBasis.AGREED_IN_WRITING,
            basis_reference="LGSCO letter 3 February 2022",
            by=manager,
            at=NOW,
        )

        deadline.refresh_from_db()
        assert (deadline.original_due_date, deadline.due_date) == (
            date(2022, 2, 26),
            date(2022, 4, 30),
        )
        assert (extension.status, extension.previous_due_date) == (
            ExtensionStatus.AGREED,
            date(2022, 2, 26),
        )

    def test_requested_extension_moves_nothing_until_agreed(self, manager, officer):
        deadline = recommendation_recorded(by=manager).deadline
        extension = deadline_services.extension_request(
            deadline=deadline,
            new_due_date=date(2022, 4, 30),
            reason="Audit takes longer",
            basis=ExtensionBasis.AGREED_IN_WRITING,
            by=officer,
            at=NOW,
        )
        deadline.refresh_from_db()
        assert deadline.due_date == date(2022, 2, 26)

        deadline_services.extension_decide(extension=extension, agreed=False, by=manager, at=NOW)

        deadline.refresh_from_db()
        assert deadline.due_date == date(2022, 2, 26)
        with pytest.raises(ValidationError, match="already been decided"):
            deadline_services.extension_decide(extension=extension, agreed=True, by=manager, at=NOW)

    def test_extension_must_move_the_date_later_and_give_a_reason(self, manager):
        deadline = recommendation_recorded(by=manager).deadline

        with pytest.raises(ValidationError, match="after the current due date"):
            deadline_services.extension_record(
                deadline=deadline,
                new_due_date=date(2022, 2, 26),
                reason="x",
                basis=ExtensionBasis.OTHER,
                by=manager,
                at=NOW,
            )
        with pytest.raises(ValidationError, match="reason"):
            deadline_services.extension_record(
                deadline=deadline,
                new_due_date=date(2022, 3, 26),
                reason="",
                basis=ExtensionBasis.OTHER,
                by=manager,
                at=NOW,
            )

    def test_compliance_after_an_extension_counts_against_the_new_date(self, manager):
        recommendation = recommendation_recorded(by=manager)
        deadline_services.extension_record(
            deadline=recommendation.deadline,
            new_due_date=date(2022, 4, 30),
            reason="Agreed",
            basis=ExtensionBasis.AGREED_IN_WRITING,
            by=manager,
            at=NOW,
        )
        _evidence(recommendation, manager)

        services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.COMPLIED,
            by=manager,
            on=date(2022, 4, 1),
        )

        recommendation.deadline.refresh_from_db()
        assert recommendation.outcome(at=date(2022, 5, 1)) == Outcome.COMPLIED_ON_TIME


class TestEvidenceAndHistory:
    def test_file_evidence_keeps_a_checksum(self, manager, tmp_path, settings):
        settings.MEDIA_ROOT = tmp_path
        recommendation = recommendation_recorded(by=manager)

        evidence = services.evidence_add(
            recommendation=recommendation,
            description="Minute",
            file=SimpleUploadedFile("minute.txt", b"RESOLVED to note"),
            by=manager,
            at=NOW,
        )

        assert evidence.sha256 == hashlib.sha256(b"RESOLVED to note").hexdigest()
        assert evidence.file.read() == b"RESOLVED to note"

    def test_evidence_is_a_file_or_a_link_not_both_nor_neither(self, manager):
        recommendation = recommendation_recorded(by=manager)

        with pytest.raises(ValidationError, match="either a file or a link"):
            services.evidence_add(
                recommendation=recommendation, description="Nothing", by=manager, at=NOW
            )

    def test_every_change_is_in_the_history_with_who_and_why(self, manager):
        recommendation = recommendation_recorded(by=manager)
        services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.IN_PROGRESS,
            by=manager,
            on=date(2022, 1, 5),
        )

        history = list(
            recommendation.history.order_by("history_date").values_list(
                "status", "history_user__username", "history_change_reason"
            )
        )
        assert history == [
            ("open", "manager", "Recommendation recorded"),
            ("in_progress", "manager", "Status changed to In progress"),
        ]

    def test_a_stale_edit_is_refused_and_writes_nothing(self, manager, officer):
        recommendation = recommendation_recorded(by=manager)
        seen_version = recommendation.version
        services.recommendation_update(
            recommendation=recommendation, version=seen_version, by=manager, text="First edit"
        )

        stale = type(recommendation).objects.get(pk=recommendation.pk)
        stale.version = seen_version
        with pytest.raises(services.ConflictError, match="changed by someone else"):
            services.recommendation_update(
                recommendation=stale, version=seen_version, by=officer, text="Second edit"
            )

        recommendation.refresh_from_db()
        assert recommendation.text == "First edit"
        assert recommendation.history.count() == 2
