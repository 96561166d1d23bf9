"""Reads behind the audit pages, scoped to the user, in a fixed number of queries.

Built on ``audits.selectors`` (what a user may see, the counted outcomes, the threshold and
the findings) so no rule is written twice; the one exception is ``programmes_listed``, which
counts every programme's outcomes in SQL (see its docstring).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from accounts.models import User

from .agreement import Agreement, agreement
from .models import (
    AuditOutcome,
    AuditProgramme,
    LiveConcern,
    OutcomeRole,
    OutcomeStatus,
    PopulationImport,
    SampleCase,
)
from .selectors import (
    FindingsSummary,
    ModerationPair,
    audit_cases_for,
    counted_outcomes,
    findings_summary,
    manages_programme,
    programmes_managed_by,
    programmes_visible_to,
    sample_case_visible_to,
    threshold_of_annotated,
    with_threshold_figures,
)
from .threshold import ThresholdResult, wilson_interval

# --- Lookups that 404 across organisations --------------------------------------------------


def managed_case_get_for(user, pk) -> SampleCase:
    """A sample case of a programme the user runs (``programmes_managed_by``), or 404."""
    return get_object_or_404(
        SampleCase.objects.select_related(
            "case", "auditor", "moderator", "programme__recommendation"
        ).filter(programme__in=programmes_managed_by(user)),
        pk=pk,
    )


def assigned_case_get_for(user, pk) -> SampleCase:
    """A case the user audits or moderates, or 404: nobody else records its outcome."""
    return get_object_or_404(
        audit_cases_for(user).select_related("programme__recommendation", "auditor", "moderator"),
        pk=pk,
    )


def managed_outcome_get_for(user, pk) -> AuditOutcome:
    """An outcome of a programme the user runs, or 404."""
    return get_object_or_404(
        AuditOutcome.objects.select_related(
            "auditor", "sample_case__case", "sample_case__programme"
        ).filter(sample_case__programme__in=programmes_managed_by(user)),
        pk=pk,
    )


def concern_get_for(user, pk) -> LiveConcern:
    """A live concern of a programme the user may see, or 404. Whether they may read it, or
    even see its case, is ``selectors.concern_readable_by`` and ``sample_case_visible_to``."""
    return get_object_or_404(
        LiveConcern.objects.select_related(
            "raised_by",
            "responded_by",
            "deadline",
            "sample_case__case",
            "sample_case__programme__recommendation",
        ).filter(sample_case__programme__in=programmes_visible_to(user)),
        pk=pk,
    )


def role_of(sample_case: SampleCase, user) -> OutcomeRole:
    """Whether ``user`` audits or moderates a case assigned to them."""
    return OutcomeRole.AUDIT if sample_case.auditor_id == user.pk else OutcomeRole.MODERATION


def own_outcome(sample_case: SampleCase, user) -> AuditOutcome | None:
    """The outcome ``user`` records for a case assigned to them: as auditor or as moderator.

    Only their own: neither of a moderated case's two auditors sees the other's answers here.
    """
    role = role_of(sample_case, user)
    return AuditOutcome.objects.filter(sample_case=sample_case, role=role).first()


def full_audit_of(programme: AuditProgramme) -> AuditProgramme | None:
    """The full audit a sample audit's threshold led to, if it has been created."""
    return AuditProgramme.objects.filter(triggered_by=programme).first()


# --- The audits list ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeRow:
    programme: AuditProgramme
    threshold: ThresholdResult


def programmes_listed(user) -> list[ProgrammeRow]:
    """The programmes ``user`` may see, newest first, each with its threshold figures."""
    programmes = with_threshold_figures(
        programmes_visible_to(user).select_related("triggered_by")
    ).order_by("-pk")
    return [ProgrammeRow(programme, threshold_of_annotated(programme)) for programme in programmes]


# --- The programme page ---------------------------------------------------------------------


@dataclass(frozen=True)
class SampleRow:
    sample_case: SampleCase
    audit: AuditOutcome | None
    moderation: AuditOutcome | None
    counted: AuditOutcome | None  # the submitted audit outcome as counted (settled answers)
    hidden_from_user: bool  # the audit is submitted, but the user's moderation is not yet


@dataclass(frozen=True)
class ConcernRow:
    concern: LiveConcern
    case_visible: bool  # whether the user may know which case it is on


@dataclass(frozen=True)
class Disagreement:
    sample_case: SampleCase
    audit: AuditOutcome
    moderation: AuditOutcome

    @property
    def is_settled(self) -> bool:
        return self.sample_case.settled_similar_issues is not None or bool(
            self.sample_case.settled_grade
        )


@dataclass(frozen=True)
class Moderation:
    similar_issues: Agreement
    grade: Agreement
    disagreements: list[Disagreement]


@dataclass
class ProgrammePage:
    """What the programme page shows. Everyone who may open it sees the figures; the rows,
    similar cases and disagreements are the whole sample's only for those who run the
    programme (``manages``), and otherwise only the cases assigned to the user."""

    programme: AuditProgramme
    manages: bool
    findings: FindingsSummary
    interval: tuple[float, float] | None
    sample_count: int
    substitutes: list[SampleCase]
    auditors: list[User]
    rows: list[SampleRow]
    moderation: Moderation
    concerns: list[ConcernRow]
    full_audit: AuditProgramme | None
    pending_moderation: bool  # the user still has a moderation to record here
    unassigned: int = 0
    drawn_count: int = 0
    substitute_count: int = 0
    outcome_statuses: dict[str, int] = field(default_factory=dict)

    @property
    def threshold(self) -> ThresholdResult:
        return self.findings.threshold

    @property
    def written_findings_hidden_because(self) -> str:
        """Why the auditors' written findings and learning are not shown; empty if they are.

        They are about other auditors' cases: for those who run the audit, and not for a
        moderator until their moderation is submitted.
        """
        if not self.manages:
            return (
                "The auditors' written findings and learning are shown to those who run the audit."
            )
        if self.pending_moderation:
            return (
                "The auditors' written findings and learning are hidden from you until you "
                "submit your moderation, so that it stays independent."
            )
        return ""

    @property
    def shortfall(self) -> int:
        """How many fewer cases the criteria found than the target."""
        return max(0, self.programme.target_sample_size - self.drawn_count)


def _moderation(pairs: list[ModerationPair], *, shown: set[int]) -> Moderation:
    """Agreement over every case both auditors submitted; disagreements on the ``shown`` cases."""
    pairs = [
        Disagreement(pair.sample_case, pair.audit, pair.moderation)
        for pair in pairs
        if pair.both_submitted
    ]
    return Moderation(
        similar_issues=agreement(
            [(p.audit.similar_issues, p.moderation.similar_issues) for p in pairs]
        ),
        grade=agreement([(p.audit.grade, p.moderation.grade) for p in pairs]),
        disagreements=[
            p
            for p in pairs
            if p.sample_case.pk in shown
            and (
                p.audit.similar_issues != p.moderation.similar_issues
                or p.audit.grade != p.moderation.grade
            )
        ],
    )


def programme_page(programme: AuditProgramme, *, user) -> ProgrammePage:
    """Everything the programme page shows to ``user``, whatever the size of the sample."""
    findings = findings_summary(programme)
    threshold = findings.threshold
    manages = manages_programme(user, programme)
    cases = list(
        programme.sample_cases.select_related("case", "auditor", "moderator").order_by("position")
    )
    outcomes_by_case: dict[int, dict[str, AuditOutcome]] = defaultdict(dict)
    for outcome in AuditOutcome.objects.filter(sample_case__programme=programme):
        outcomes_by_case[outcome.sample_case_id][outcome.role] = outcome
    counted = {outcome.sample_case_id: outcome for outcome in counted_outcomes(programme)}
    pairs = [
        ModerationPair(
            sample_case,
            outcomes_by_case[sample_case.pk].get(OutcomeRole.AUDIT),
            outcomes_by_case[sample_case.pk].get(OutcomeRole.MODERATION),
        )
        for sample_case in cases
    ]
    # Each case's programme is the one given (the related manager sets it): no query per case.
    shown = [pair for pair in pairs if sample_case_visible_to(user, pair.sample_case)]
    rows = [
        SampleRow(
            pair.sample_case,
            audit=pair.audit,
            moderation=pair.moderation,
            counted=counted.get(pair.sample_case.pk),
            # Blind moderation: the user moderates the case, and only the audit is submitted.
            hidden_from_user=pair.hidden_from(user) == OutcomeRole.AUDIT
            and pair.sample_case.pk in counted,
        )
        for pair in shown
    ]
    shown_pks = {pair.sample_case.pk for pair in shown}
    statuses = dict.fromkeys(["not_started", *OutcomeStatus.values], 0)
    for pair in pairs:
        statuses[str(pair.audit.status) if pair.audit else "not_started"] += 1
    return ProgrammePage(
        programme=programme,
        manages=manages,
        findings=findings,
        interval=(
            wilson_interval(threshold.with_similar_issues, threshold.audited)
            if threshold.audited
            else None
        ),
        sample_count=len(cases),
        substitutes=[row.sample_case for row in rows if row.sample_case.is_substitute],
        auditors=programme_auditors(programme),
        rows=rows,
        moderation=_moderation(pairs, shown=shown_pks),
        concerns=[
            ConcernRow(concern, case_visible=concern.sample_case_id in shown_pks)
            for concern in LiveConcern.objects.filter(
                sample_case__programme=programme
            ).select_related("sample_case__case", "raised_by", "deadline")
        ],
        full_audit=full_audit_of(programme),
        pending_moderation=any(row.hidden_from_user for row in rows),
        unassigned=sum(1 for sample_case in cases if not sample_case.auditor_id),
        drawn_count=sum(1 for sample_case in cases if not sample_case.is_substitute),
        substitute_count=sum(1 for sample_case in cases if sample_case.is_substitute),
        outcome_statuses=statuses,
    )


def programme_auditors(programme: AuditProgramme) -> list[User]:
    """The auditors, each with how many cases they audit and moderate in the programme."""
    return list(
        programme.auditors.select_related("organisation").annotate(
            audit_count=Count(
                "audit_cases", filter=Q(audit_cases__programme=programme), distinct=True
            ),
            moderation_count=Count(
                "moderation_cases", filter=Q(moderation_cases__programme=programme), distinct=True
            ),
        )
    )


# --- Choices for the managers' forms --------------------------------------------------------


def auditor_candidates(programme: AuditProgramme):
    """Active staff of any organisation who may record outcomes, not yet on the programme.

    Partner agencies (police, health) audit too, so the list is not limited to the council.
    """
    permission = Permission.objects.get(
        content_type__app_label="audits", codename="record_audit_outcome"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .exclude(pk__in=programme.auditors.values("pk"))
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "first_name", "last_name", "username")
    )


def population_imports_for(organisation):
    return PopulationImport.objects.filter(organisation=organisation).select_related("imported_by")
