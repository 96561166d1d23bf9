"""Reads for audit programmes, scoped to the user: what each user may see, the threshold
figures, and the lists and pages built on them, in a fixed number of queries.

Need to know, in one place: who runs a programme and sees its whole sample
(``manages_programme``), who sees a case (``sample_case_visible_to``), who reads a live
concern (``concern_readable_by``) and whose answers are hidden from whom while a case is
moderated (``ModerationPair.hidden_from``). The pages' reads below are built on these, on the
counted outcomes, the threshold and the findings, so no rule is written twice; the one
exception is ``programmes_listed``, which counts every programme's outcomes in SQL (see
``with_threshold_figures``).
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from functools import partial
from statistics import median

from django.contrib.auth.models import Permission
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import managers, managers_of

from .agreement import Agreement, agreement
from .models import (
    Answer,
    AuditOutcome,
    AuditProgramme,
    Grade,
    LiveConcern,
    OutcomeRole,
    OutcomeStatus,
    PopulationCase,
    PopulationImport,
    PopulationUpload,
    ProgrammeKind,
    SampleCase,
)
from .threshold import ThresholdResult, threshold_decision, wilson_interval

MANAGE = "audits.manage_audit"
PAGE_SIZE = 25  # the audit pages' lists (the programme page's cases too), as the others


# --- What a user may see --------------------------------------------------------------------


def _programmes():
    return AuditProgramme.objects.select_related(
        "recommendation__complaint", "recommendation__organisation", "owner", "deadline"
    )


def programmes_visible_to(user):
    """The programmes whose page (the figures) ``user`` may open."""
    if user.sees_every_organisation:
        return _programmes()
    # Partner-agency auditors see the programmes they audit for.
    # An IN-subquery rather than a join to the auditors: one row per programme, no DISTINCT.
    audited_for = AuditProgramme.auditors.through.objects.filter(user=user.pk)
    return _programmes().filter(
        Q(recommendation__organisation=user.organisation_id)
        | Q(pk__in=audited_for.values("auditprogramme"))
    )


def programme_get_for(user, pk) -> AuditProgramme:
    return get_object_or_404(programmes_visible_to(user), pk=pk)


def programmes_managed_by(user):
    """The programmes ``user`` runs, seeing every case of their sample: with
    ``audits.manage_audit``, those of their own organisation, or of every organisation for
    those who see them all. (The query form of ``manages_programme``.)"""
    if not user.has_perm(MANAGE):
        return AuditProgramme.objects.none()
    if user.sees_every_organisation:
        return _programmes()
    return _programmes().filter(recommendation__organisation=user.organisation_id)


def manages_programme(user, programme: AuditProgramme) -> bool:
    """Whether ``user`` runs ``programme``. A manager of another organisation added to it as
    an auditor (from a partner agency, say) does not: they see only their own cases."""
    return user.has_perm(MANAGE) and (
        user.sees_every_organisation
        or programme.recommendation.organisation_id == user.organisation_id
    )


def programme_managed_get_for(user, pk) -> AuditProgramme:
    """A programme ``user`` runs, or 404: the managers' pages show or change its whole sample."""
    return get_object_or_404(programmes_managed_by(user), pk=pk)


def sample_case_visible_to(user, sample_case: SampleCase) -> bool:
    """Whether ``user`` may see a case of the sample (its reference, its row): its own auditor
    and moderator, and those who run the programme. (``sample_case.programme.recommendation``
    is read: select it with the case.)"""
    return user.pk in (sample_case.auditor_id, sample_case.moderator_id) or manages_programme(
        user, sample_case.programme
    )


# --- Managers and live concerns -------------------------------------------------------------


def managers_of_case(case: PopulationCase):
    """The managers of a case's organisation: its own, and those who see every organisation."""
    return managers().filter(
        Q(organisation=case.organisation_id) | Q(sees_all_organisations=True) | Q(is_superuser=True)
    )


def concern_responder(organisation, *, email: str) -> User | None:
    """Who owns the deadline for the response to a live concern sent to ``email``: the team
    manager it is sent to, when they are one of the organisation's managers (only managers
    record a response). Otherwise nobody in particular: a deadline without an owner reminds
    every manager of its organisation, who may all respond."""
    email = email.strip()
    if not email:
        return None
    return managers_of(organisation).filter(email__iexact=email).order_by("pk").first()


def concern_answerable_by(concern: LiveConcern, user) -> bool:
    """Whether ``user`` may record the response to a live concern: a manager of the case's
    organisation."""
    return managers_of_case(concern.sample_case.case).filter(pk=user.pk).exists()


def concern_readable_by(concern: LiveConcern, user) -> bool:
    """Whether ``user`` may read what a live concern says, and its response: the auditor who
    raised it, the manager it was sent to and the managers of the case's organisation.

    Everyone else who may see the programme sees only that the concern exists: when it was
    raised, when the response is due and whether one has been recorded.
    """
    if user.pk == concern.raised_by_id:
        return True
    sent_to = concern.team_manager_email.strip().lower()
    if user.is_active and user.email and user.email.strip().lower() == sent_to:
        return True
    return concern_answerable_by(concern, user)


# --- Blind moderation -----------------------------------------------------------------------


@dataclass(frozen=True)
class ModerationPair:
    """A case's audit outcome and moderation outcome, either of which may not exist yet."""

    sample_case: SampleCase
    audit: AuditOutcome | None
    moderation: AuditOutcome | None

    @property
    def both_submitted(self) -> bool:
        return all(outcome and outcome.is_locked for outcome in (self.audit, self.moderation))

    def hidden_from(self, user) -> OutcomeRole | None:
        """Whose answers ``user`` may not see yet: blind moderation.

        Until both outcomes of a moderated case are submitted, its auditor does not see the
        moderator's answers and its moderator does not see the auditor's, whatever else they
        may see (either may be a manager). Nobody else is kept from either.
        """
        sample_case = self.sample_case
        if not sample_case.moderator_id or self.both_submitted:
            return None
        if user.pk == sample_case.auditor_id:
            return OutcomeRole.MODERATION
        if user.pk == sample_case.moderator_id:
            return OutcomeRole.AUDIT
        return None

    @property
    def not_settleable_because(self) -> str:
        """Why the case cannot be settled yet; empty once it can."""
        if not self.sample_case.moderator_id:
            return "This case is not moderated, so there is nothing to settle."
        waiting = [
            who
            for who, outcome in (("the auditor", self.audit), ("the moderator", self.moderation))
            if not (outcome and outcome.is_locked)
        ]
        if waiting:
            return (
                "It can be settled once both the auditor and the moderator have submitted their "
                f"outcomes: {' and '.join(waiting)} {'has' if len(waiting) == 1 else 'have'} not "
                "submitted yet. Until then neither sees the other's answers."
            )
        return ""

    @property
    def seen(self) -> str:
        """What a manager settling the case decides on, as one value for the settle form: both
        outcomes' versions and the answer settled so far. If it differs when they settle,
        someone else settled the case or an outcome changed in between."""
        sample_case = self.sample_case
        return ":".join(
            str(part)
            for part in (
                self.audit.version if self.audit else 0,
                self.moderation.version if self.moderation else 0,
                sample_case.settled_by_id or 0,
                sample_case.settled_similar_issues,
                sample_case.settled_grade,
            )
        )


def moderation_pair(sample_case: SampleCase, *, lock: bool = False) -> ModerationPair:
    """The case's two outcomes; with ``lock``, their rows are locked until the transaction
    ends (settling locks them, so an outcome cannot be reopened while it is settled)."""
    outcomes = AuditOutcome.objects.filter(sample_case=sample_case).select_related("auditor")
    if lock:
        outcomes = outcomes.select_for_update(of=("self",))
    by_role = {outcome.role: outcome for outcome in outcomes}
    return ModerationPair(
        sample_case, by_role.get(OutcomeRole.AUDIT), by_role.get(OutcomeRole.MODERATION)
    )


# --- Uploads, assigned cases, the counted outcomes and the findings -------------------------


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
        yield _as_counted(outcome)


def _is_counted(outcome: AuditOutcome) -> bool:
    return outcome.role == OutcomeRole.AUDIT and outcome.status == OutcomeStatus.SUBMITTED


def _as_counted(outcome: AuditOutcome) -> AuditOutcome:
    """A submitted audit outcome as the figures count it (``outcome.sample_case`` is read):
    itself, or where a manager settled a moderated case, a copy with the settled answers (the
    outcome keeps the auditor's own)."""
    sample_case = outcome.sample_case
    if sample_case.settled_similar_issues is None and not sample_case.settled_grade:
        return outcome
    counted = copy(outcome)
    if sample_case.settled_similar_issues is not None:
        counted.similar_issues = sample_case.settled_similar_issues
    if sample_case.settled_grade:
        counted.grade = sample_case.settled_grade
    return counted


def with_threshold_figures(programmes):
    """Annotate each programme with what ``programme_threshold`` counts, in one query for a
    whole list (``counted_outcomes``' rule in SQL; a test checks the two agree).

    One GROUP BY over the sample's cases, each joined to its submitted audit outcome (a case
    has at most one), so the counts take one pass over the outcomes whatever the number of
    programmes. Filter ``programmes`` on their own fields only: a filter on their sample's
    cases would share (or multiply) the join the counts are made from."""
    counted = FilteredRelation(
        "sample_cases__outcomes",
        condition=Q(
            sample_cases__outcomes__role=OutcomeRole.AUDIT,
            sample_cases__outcomes__status=OutcomeStatus.SUBMITTED,
        ),
    )
    similar = Q(sample_cases__settled_similar_issues=True) | Q(
        sample_cases__settled_similar_issues__isnull=True, counted_outcome__similar_issues=True
    )
    return programmes.alias(counted_outcome=counted).annotate(
        sample_size=Count("sample_cases"),
        audited=Count("counted_outcome"),
        with_similar_issues=Count("counted_outcome", filter=similar),
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
    return _threshold(
        list(counted_outcomes(programme)),
        sample_size=programme.sample_cases.count(),
        threshold_percent=programme.threshold_percent,
    )


def _threshold(counted: list[AuditOutcome], *, sample_size, threshold_percent) -> ThresholdResult:
    return threshold_decision(
        sample_size=sample_size,
        audited=len(counted),
        with_similar_issues=sum(1 for outcome in counted if outcome.similar_issues),
        threshold_percent=threshold_percent,
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
    return _findings(
        list(counted_outcomes(programme)),
        sample_size=programme.sample_cases.count(),
        threshold_percent=programme.threshold_percent,
    )


def _findings(outcomes: list[AuditOutcome], *, sample_size, threshold_percent) -> FindingsSummary:
    """``findings_summary`` from the counted outcomes already read."""
    days = sorted(
        outcome.days_to_strategy_discussion
        for outcome in outcomes
        if outcome.days_to_strategy_discussion is not None
    )
    return FindingsSummary(
        threshold=_threshold(
            outcomes, sample_size=sample_size, threshold_percent=threshold_percent
        ),
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
    even see its case, is ``concern_readable_by`` and ``sample_case_visible_to``."""
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


def sample_audits_of(recommendation):
    """The sample audits set up for a recommendation, first first (full audits follow one of
    them and are not counted: each sample audit has at most one)."""
    return AuditProgramme.objects.filter(
        recommendation=recommendation, kind=ProgrammeKind.SAMPLE
    ).order_by("pk")


def recommendation_programmes(user, recommendation) -> list["ProgrammeRow"]:
    """The audits of a recommendation that ``user`` may open, first first, with their
    threshold figures (one query), for the recommendation's page."""
    if not user.has_perm("audits.view_auditprogramme"):
        return []
    programmes = with_threshold_figures(
        programmes_visible_to(user).filter(recommendation=recommendation)
    ).order_by("pk")
    return [ProgrammeRow(programme, threshold_of_annotated(programme)) for programme in programmes]


def date_set_by(deadline) -> User | None:
    """Who set a deadline's current date: the user who saved the change that first gave it
    its present ``original_due_date`` (an extension keeps that date, and says who agreed it).
    Read from the deadline's history in one query."""
    set_by, date_so_far = None, None
    records = deadline.history.select_related("history_user").order_by("history_date", "history_id")
    for record in records:
        if record.original_due_date != date_so_far:
            set_by, date_so_far = record.history_user, record.original_due_date
    return set_by


def full_audit_of(programme: AuditProgramme) -> AuditProgramme | None:
    """The full audit a sample audit's threshold led to, if it has been created."""
    return AuditProgramme.objects.filter(triggered_by=programme).first()


# --- The audits list ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeRow:
    programme: AuditProgramme
    threshold: ThresholdResult


def programme_pks_listed(user):
    """The ids of the programmes ``user`` may see, newest first: the audits list pages these,
    then counts the figures of one page's programmes (``programme_rows``)."""
    return programmes_visible_to(user).order_by("-pk").values_list("pk", flat=True)


def programme_rows(pks) -> list[ProgrammeRow]:
    """The programmes of ``pks``, newest first, each with its threshold figures: one query,
    whose counts cover only these programmes' cases (the ids are read first, so that the
    database narrows to them before it joins their cases)."""
    programmes = with_threshold_figures(
        _programmes().select_related("triggered_by").filter(pk__in=list(pks))
    ).order_by("-pk")
    return [ProgrammeRow(programme, threshold_of_annotated(programme)) for programme in programmes]


def programmes_listed(user) -> list[ProgrammeRow]:
    """The programmes ``user`` may see, newest first, each with its threshold figures."""
    return programme_rows(programme_pks_listed(user))


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
    sample_page: Page  # of SampleRow: one page of the cases the user may see
    moderation: Moderation
    concerns: list[ConcernRow]
    full_audit: AuditProgramme | None
    pending_moderation: bool  # the user still has a moderation to record here
    unassigned: int = 0
    drawn_count: int = 0
    substitute_count: int = 0
    outcome_statuses: dict[str, int] = field(default_factory=dict)
    deadline_set_by: User | None = None  # who chose the deadline's date (``date_set_by``)
    other_audits: list[ProgrammeRow] = field(default_factory=list)  # of the recommendation

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


def _moderation(pairs: list[ModerationPair], *, shown: Callable[[SampleCase], bool]) -> Moderation:
    """Agreement over every case both auditors submitted; disagreements on the cases the user
    is ``shown``."""
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
            if (
                p.audit.similar_issues != p.moderation.similar_issues
                or p.audit.grade != p.moderation.grade
            )
            and shown(p.sample_case)
        ],
    )


def sample_cases_visible_to(user, programme: AuditProgramme):
    """The cases of a programme's sample that ``user`` may see: the query form of
    ``sample_case_visible_to``."""
    cases = programme.sample_cases.all()
    if manages_programme(user, programme):
        return cases
    return cases.filter(Q(auditor=user.pk) | Q(moderator=user.pk))


def _sample_figures(programme: AuditProgramme) -> dict[str, int]:
    """How many cases the sample has, how many are unassigned and how many are substitutes,
    counted in SQL."""
    return programme.sample_cases.aggregate(
        sample_count=Count("pk"),
        unassigned=Count("pk", filter=Q(auditor__isnull=True)),
        substitute_count=Count("pk", filter=~Q(substitute_reason="")),
    )


def programme_page(programme: AuditProgramme, *, user, page_number=None) -> ProgrammePage:
    """Everything the programme page shows to ``user``, whatever the size of the sample: its
    figures from the programme's outcomes, read once, and the rows of one page of the cases
    the user may see (``page_number``, as ``Paginator.get_page`` takes it)."""
    manages = manages_programme(user, programme)
    figures = _sample_figures(programme)
    outcomes_by_case: dict[int, dict[str, AuditOutcome]] = defaultdict(dict)
    counted: dict[int, AuditOutcome] = {}
    for outcome in AuditOutcome.objects.filter(sample_case__programme=programme).select_related(
        "sample_case"
    ):
        outcome.sample_case.programme = programme  # known: no query to see who may see it
        outcomes_by_case[outcome.sample_case_id][outcome.role] = outcome
        if _is_counted(outcome):
            counted[outcome.sample_case_id] = _as_counted(outcome)
    findings = _findings(
        list(counted.values()),
        sample_size=figures["sample_count"],
        threshold_percent=programme.threshold_percent,
    )
    threshold = findings.threshold
    pairs = [
        ModerationPair(
            (by_role.get(OutcomeRole.AUDIT) or by_role[OutcomeRole.MODERATION]).sample_case,
            by_role.get(OutcomeRole.AUDIT),
            by_role.get(OutcomeRole.MODERATION),
        )
        for by_role in outcomes_by_case.values()
    ]

    shown = sample_cases_visible_to(user, programme)
    sample_page = Paginator(
        shown.select_related("case", "auditor", "moderator").order_by("position"), PAGE_SIZE
    ).get_page(page_number)
    sample_page.object_list = [
        _sample_row(sample_case, outcomes_by_case[sample_case.pk], counted, user=user)
        for sample_case in sample_page
    ]
    moderation = _moderation(pairs, shown=partial(sample_case_visible_to, user))
    # Only the disagreements name their cases: read those cases alone.
    prefetch_related_objects([d.sample_case for d in moderation.disagreements], "case")
    full_audit = full_audit_of(programme)
    full_audit_pk = full_audit.pk if full_audit else None
    audit_statuses = Counter(
        str(by_role[OutcomeRole.AUDIT].status)
        for by_role in outcomes_by_case.values()
        if OutcomeRole.AUDIT in by_role
    )
    concerns = LiveConcern.objects.filter(sample_case__programme=programme).select_related(
        "sample_case__case", "raised_by", "deadline"
    )
    for concern in concerns:
        concern.sample_case.programme = programme
    return ProgrammePage(
        programme=programme,
        manages=manages,
        findings=findings,
        interval=(
            wilson_interval(threshold.with_similar_issues, threshold.audited)
            if threshold.audited
            else None
        ),
        sample_count=figures["sample_count"],
        substitutes=list(
            shown.exclude(substitute_reason="").select_related("case").order_by("position")
        ),
        auditors=programme_auditors(programme),
        sample_page=sample_page,
        moderation=moderation,
        concerns=[
            ConcernRow(concern, case_visible=sample_case_visible_to(user, concern.sample_case))
            for concern in concerns
        ],
        full_audit=full_audit,
        # Blind moderation: the user moderates a case whose audit alone is submitted.
        pending_moderation=any(
            pair.hidden_from(user) == OutcomeRole.AUDIT and pair.sample_case.pk in counted
            for pair in pairs
        ),
        unassigned=figures["unassigned"],
        drawn_count=figures["sample_count"] - figures["substitute_count"],
        substitute_count=figures["substitute_count"],
        outcome_statuses={
            "not_started": figures["sample_count"] - sum(audit_statuses.values()),
            **{status: audit_statuses[status] for status in OutcomeStatus.values},
        },
        deadline_set_by=date_set_by(programme.deadline) if programme.deadline else None,
        # The programme's own full audit (or the sample audit it follows) has a row of its own.
        other_audits=[
            row
            for row in recommendation_programmes(user, programme.recommendation)
            if row.programme.pk not in (programme.pk, programme.triggered_by_id, full_audit_pk)
        ],
    )


def _sample_row(sample_case, by_role: dict[str, AuditOutcome], counted, *, user) -> SampleRow:
    pair = ModerationPair(
        sample_case, by_role.get(OutcomeRole.AUDIT), by_role.get(OutcomeRole.MODERATION)
    )
    return SampleRow(
        sample_case,
        audit=pair.audit,
        moderation=pair.moderation,
        counted=counted.get(sample_case.pk),
        # Blind moderation: the user moderates the case, and only the audit is submitted.
        hidden_from_user=pair.hidden_from(user) == OutcomeRole.AUDIT and sample_case.pk in counted,
    )


def programme_auditors(programme: AuditProgramme) -> list[User]:
    """The auditors, each with how many cases they audit and moderate in the programme.

    Each count is a subquery of its own: joining both the audited and the moderated cases
    would pair every case one auditor audits with every case they moderate."""

    def cases_where(role: str) -> Coalesce:
        cases = (
            programme.sample_cases.filter(**{role: OuterRef("pk")})
            .order_by()
            .values(role)
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(cases, output_field=IntegerField()), 0)

    return list(
        programme.auditors.select_related("organisation").annotate(
            audit_count=cases_where("auditor"), moderation_count=cases_where("moderator")
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
