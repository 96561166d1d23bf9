"""Reads for audit programmes: the threshold figures and what each user may see."""

from collections import Counter
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from .models import (
    Answer,
    AuditOutcome,
    AuditProgramme,
    Grade,
    OutcomeRole,
    OutcomeStatus,
    PopulationUpload,
    SampleCase,
)
from .threshold import ThresholdResult, threshold_decision


def programmes_visible_to(user):
    programmes = AuditProgramme.objects.select_related(
        "recommendation__complaint", "recommendation__organisation", "owner", "deadline"
    )
    if user.sees_every_organisation:
        return programmes
    # Partner-agency auditors see the programmes they audit for.
    return programmes.filter(
        Q(recommendation__organisation=user.organisation_id) | Q(auditors=user)
    ).distinct()


def programme_get_for(user, pk) -> AuditProgramme:
    return get_object_or_404(programmes_visible_to(user), pk=pk)


def population_upload_get_for(user, pk) -> PopulationUpload:
    """A population upload of the user's own organisation; any other is a 404."""
    return get_object_or_404(
        PopulationUpload.objects.select_related("organisation", "uploaded_by"),
        organisation_id=user.organisation_id,
        pk=pk,
    )


def audit_cases_for(user):
    """The cases a user audits or moderates, with their outcomes, for "My audit cases"."""
    return (
        SampleCase.objects.filter(Q(auditor=user) | Q(moderator=user))
        .select_related("case", "programme")
        .prefetch_related("outcomes")
        .order_by("programme", "position")
    )


def counted_outcomes(programme):
    """The submitted audit outcomes, with a manager's settled answer where moderation differed.

    Live concerns are recorded apart and never enter these figures.
    """
    outcomes = AuditOutcome.objects.filter(
        sample_case__programme=programme,
        role=OutcomeRole.AUDIT,
        status=OutcomeStatus.SUBMITTED,
    ).select_related("sample_case")
    for outcome in outcomes:
        settled = outcome.sample_case.settled_similar_issues
        if settled is not None:
            outcome.similar_issues = settled
        if outcome.sample_case.settled_grade:
            outcome.grade = outcome.sample_case.settled_grade
        yield outcome


def _count_per_programme(sample_cases) -> Coalesce:
    counted = (
        sample_cases.filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_threshold_figures(programmes):
    """Annotate each programme with what ``programme_threshold`` counts, in one query for a
    whole list (``counted_outcomes``' rule in SQL; a test checks the two agree)."""
    submitted = AuditOutcome.objects.filter(role=OutcomeRole.AUDIT, status=OutcomeStatus.SUBMITTED)
    similar = submitted.filter(
        Q(sample_case__settled_similar_issues=True)
        | Q(sample_case__settled_similar_issues__isnull=True, similar_issues=True)
    )
    return programmes.annotate(
        sample_size=_count_per_programme(SampleCase.objects.all()),
        audited=_count_per_programme(
            SampleCase.objects.filter(pk__in=submitted.values("sample_case"))
        ),
        with_similar_issues=_count_per_programme(
            SampleCase.objects.filter(pk__in=similar.values("sample_case"))
        ),
    )


def threshold_of_annotated(programme) -> ThresholdResult:
    """The decision for a programme fetched through ``with_threshold_figures``."""
    return threshold_decision(
        sample_size=programme.sample_size,
        audited=programme.audited,
        with_similar_issues=programme.with_similar_issues,
        threshold_percent=programme.threshold_percent,
    )


def programme_threshold(programme) -> ThresholdResult:
    """Where the programme stands against its threshold, from the outcomes submitted so far."""
    outcomes = list(counted_outcomes(programme))
    return threshold_decision(
        sample_size=programme.sample_cases.count(),
        audited=len(outcomes),
        with_similar_issues=sum(1 for outcome in outcomes if outcome.similar_issues),
        threshold_percent=programme.threshold_percent,
    )


QUESTIONS = [
    "strategy_discussion_held",
    "other_council_contacted",
    "information_shared",
    "child_seen_and_heard",
    "professional_curiosity",
    "lead_council_decided",
]


@dataclass(frozen=True)
class FindingsSummary:
    threshold: ThresholdResult
    grades: dict[str, int]
    answers: dict[str, dict[str, int]]
    agencies: dict[str, int]
    median_days_to_strategy_discussion: float | None
    findings: list[str]
    learning: list[str]


def findings_summary(programme) -> FindingsSummary:
    """What the audit found, for committee reports: counts, grades and answers per question."""
    outcomes = list(counted_outcomes(programme))
    days = sorted(
        outcome.days_to_strategy_discussion
        for outcome in outcomes
        if outcome.days_to_strategy_discussion is not None
    )
    return FindingsSummary(
        threshold=programme_threshold(programme),
        grades={grade: sum(o.grade == grade for o in outcomes) for grade in Grade.values},
        answers={
            question: {
                answer: sum(getattr(o, question) == answer for o in outcomes)
                for answer in Answer.values
            }
            for question in QUESTIONS
        },
        agencies=dict(Counter(agency for o in outcomes for agency in o.agencies_involved)),
        median_days_to_strategy_discussion=median(days) if days else None,
        findings=[o.findings for o in outcomes if o.findings.strip()],
        learning=[o.learning for o in outcomes if o.learning.strip()],
    )
