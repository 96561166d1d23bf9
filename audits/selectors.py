"""Reads for audit programmes, scoped to the user: what each user may see, the threshold
figures, and the lists and pages built on them, in a fixed number of queries.

Need to know, in one place: who runs a programme and sees its whole sample
(``manages_programme``), who sees a case (``sample_case_visible_to``), who reads a live
concern (``concern_readable_by``) and whose answers are hidden from whom while a case is
moderated (``ModerationPair.hidden_from``). The pages' reads below are built on these, on the
counted outcomes, the threshold and the findings, so no rule is written twice; the two
exceptions count in SQL what ``counted_outcomes`` gives, so that a council-sized audit is not
read whole: the lists' threshold figures (``threshold_rows``) and the programme page's
figures (``programme_figures``). Tests check that both agree with ``findings_summary``.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from functools import cache, partial
from statistics import median

from django.contrib.auth.models import Permission
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
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


def threshold_rows(programmes) -> list["ProgrammeRow"]:
    """``programmes`` (a query, ordered and cut as the page needs) each with what
    ``programme_threshold`` counts: two queries whatever their number (``counted_outcomes``'
    rule in SQL; a test checks the two agree).

    The programmes are read first, then one GROUP BY over their cases alone, each joined to
    its submitted audit outcome (a case has at most one): narrow rows, one pass. (Counting in
    the programmes' own query sorted every case's row with all the programme's columns, 16
    ms for a page of 25 at council scale; a subquery for each scanned every outcome each
    time.)"""
    programmes = list(programmes)
    counted = Q(outcomes__role=OutcomeRole.AUDIT, outcomes__status=OutcomeStatus.SUBMITTED)
    similar = Q(settled_similar_issues=True) | Q(
        settled_similar_issues__isnull=True, outcomes__similar_issues=True
    )
    figures = (
        {
            row["programme"]: row
            for row in SampleCase.objects.filter(programme__in=[p.pk for p in programmes])
            .order_by()
            .values("programme")
            .annotate(
                sample_size=Count("pk", distinct=True),  # a moderated case joins two outcomes
                audited=Count("outcomes", filter=counted),
                with_similar_issues=Count("outcomes", filter=counted & similar),
            )
        }
        if programmes
        else {}
    )
    none = {"sample_size": 0, "audited": 0, "with_similar_issues": 0}
    return [
        ProgrammeRow(
            programme,
            threshold_decision(
                sample_size=figures.get(programme.pk, none)["sample_size"],
                audited=figures.get(programme.pk, none)["audited"],
                with_similar_issues=figures.get(programme.pk, none)["with_similar_issues"],
                threshold_percent=programme.threshold_percent,
            ),
        )
        for programme in programmes
    ]


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


def _counted_in(programme):
    """``counted_outcomes``' rows as a query (the submitted audit outcomes), for counting in SQL."""
    return AuditOutcome.objects.filter(
        sample_case__programme=programme,
        role=OutcomeRole.AUDIT,
        status=OutcomeStatus.SUBMITTED,
    )


_WRITTEN = r"\S"  # a written finding or learning counts if it has more than white space


@dataclass(frozen=True)
class ProgrammeFigures:
    """``findings_summary``'s figures counted in SQL, whatever the size of the sample, with
    the first ``written`` findings and learning only and how many there are in all, and the
    audits' progress (how many audit outcomes are in each status)."""

    findings: FindingsSummary
    findings_count: int
    learning_count: int
    audit_statuses: dict[str, int]


def programme_figures(programme, *, sample_size: int, written: int) -> ProgrammeFigures:
    """The programme page's figures in five small queries, none reading every outcome: one
    count over the programme's audit outcomes (``_outcome_figures``), the agencies, the
    median days (the middle of the ordered values), and the first ``written`` findings and
    the first ``written`` learning. (A test checks they agree with ``findings_summary``.)"""
    figures = _outcome_figures(programme)
    counted = _counted_in(programme)
    days = figures["days"]
    # The middle one or two of the known days (a query even when none is known, so that the
    # page's queries do not depend on the answers).
    middle = list(
        counted.filter(days_to_strategy_discussion__isnull=False)
        .order_by("days_to_strategy_discussion")
        .values_list("days_to_strategy_discussion", flat=True)[
            max(days - 1, 0) // 2 : days // 2 + 1
        ]
    )
    first_written = {
        name: list(
            counted.filter(**{f"{name}__regex": _WRITTEN})
            .order_by("sample_case__position")
            .values_list(name, flat=True)[:written]
        )
        for name in ("findings", "learning")
    }
    threshold = threshold_decision(
        sample_size=sample_size,
        audited=figures["audited"],
        with_similar_issues=figures["similar"],
        threshold_percent=programme.threshold_percent,
    )
    return ProgrammeFigures(
        findings=FindingsSummary(
            threshold=threshold,
            grades={grade: figures[f"grade_{n}"] for n, grade in enumerate(Grade.values)},
            answers={
                question: {
                    answer: figures[f"answer_{q}_{a}"] for a, answer in enumerate(Answer.values)
                }
                for q, question in enumerate(QUESTIONS)
            },
            agencies=_agencies_counted(programme),
            median_days_to_strategy_discussion=(
                (middle[0] if days % 2 else (middle[0] + middle[1]) / 2) if days else None
            ),
            findings=first_written["findings"],
            learning=first_written["learning"],
        ),
        findings_count=figures["findings"],
        learning_count=figures["learning"],
        audit_statuses={
            status: figures[f"status_{n}"] for n, status in enumerate(OutcomeStatus.values)
        },
    )


@cache
def _outcome_figures_sql(vendor: str) -> tuple[str, tuple[str, ...]]:
    """The SQL of ``_outcome_figures`` and its constant parameters (the programme's id goes
    last). Written out once a process: as about forty filtered counts the ORM took several
    times longer to build the query than the database took to run it."""
    outcome, case = AuditOutcome._meta, SampleCase._meta
    quote = connection.ops.quote_name

    def column(meta, name):
        return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

    submitted = f"{column(outcome, 'status')} = %s"
    # ``_as_counted`` in SQL: a manager's settled answer, where there is one, replaces the
    # auditor's.
    similar = (
        f"COALESCE({column(case, 'settled_similar_issues')}, {column(outcome, 'similar_issues')})"
    )
    grade = (
        f"CASE WHEN {column(case, 'settled_grade')} = '' THEN {column(outcome, 'grade')} "
        f"ELSE {column(case, 'settled_grade')} END"
    )
    regex = "~ %s" if vendor == "postgresql" else "REGEXP %s"  # as Django's regex lookup
    counts: list[tuple[str, tuple[str, ...]]] = [
        (submitted, (OutcomeStatus.SUBMITTED,)),
        (f"{submitted} AND {similar}", (OutcomeStatus.SUBMITTED,)),
        (
            f"{submitted} AND {column(outcome, 'days_to_strategy_discussion')} IS NOT NULL",
            (OutcomeStatus.SUBMITTED,),
        ),
        (
            f"{submitted} AND {column(outcome, 'findings')} {regex}",
            (OutcomeStatus.SUBMITTED, _WRITTEN),
        ),
        (
            f"{submitted} AND {column(outcome, 'learning')} {regex}",
            (OutcomeStatus.SUBMITTED, _WRITTEN),
        ),
    ]
    counts += [(f"{column(outcome, 'status')} = %s", (status,)) for status in OutcomeStatus.values]
    counts += [
        (f"{submitted} AND {grade} = %s", (OutcomeStatus.SUBMITTED, g)) for g in Grade.values
    ]
    counts += [
        (f"{submitted} AND {column(outcome, question)} = %s", (OutcomeStatus.SUBMITTED, answer))
        for question in QUESTIONS
        for answer in Answer.values
    ]
    select = ", ".join(f"COUNT(CASE WHEN {condition} THEN 1 END)" for condition, _ in counts)
    sql = (
        f"SELECT {select} FROM {quote(outcome.db_table)} INNER JOIN {quote(case.db_table)} "  # noqa: S608 (names from the models, values as parameters)
        f"ON {column(outcome, 'sample_case')} = {column(case, 'id')} "
        f"WHERE {column(outcome, 'role')} = %s AND {column(case, 'programme')} = %s"
    )
    return sql, (*(param for _, params in counts for param in params), OutcomeRole.AUDIT)


def _outcome_figures(programme) -> dict[str, int]:
    """One pass over the programme's audit outcomes: the threshold's counts, the grades and
    answers counted (``counted_outcomes``' rule), the written findings and learning, and how
    many audit outcomes are in each status."""
    sql, params = _outcome_figures_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, programme.pk])
        values = cursor.fetchone()
    names = ["audited", "similar", "days", "findings", "learning"]
    names += [f"status_{n}" for n in range(len(OutcomeStatus.values))]
    names += [f"grade_{n}" for n in range(len(Grade.values))]
    names += [f"answer_{q}_{a}" for q in range(len(QUESTIONS)) for a in range(len(Answer.values))]
    return dict(zip(names, values, strict=True))


def _agencies_counted(programme) -> dict[str, int]:
    """How many counted outcomes name each agency, counted in SQL over the JSON lists."""
    if connection.vendor == "postgresql":
        elements = "jsonb_array_elements_text(o.agencies_involved) AS a(value)"
    else:  # SQLite (the demo)
        elements = "json_each(o.agencies_involved) AS a"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.value, COUNT(*) FROM {AuditOutcome._meta.db_table} AS o "  # noqa: S608 (names from the models, values as parameters)
            f"INNER JOIN {SampleCase._meta.db_table} AS s ON s.id = o.sample_case_id "
            f"CROSS JOIN {elements} "
            "WHERE s.programme_id = %s AND o.role = %s AND o.status = %s GROUP BY a.value",
            [programme.pk, OutcomeRole.AUDIT, OutcomeStatus.SUBMITTED],
        )
        return dict(cursor.fetchall())


def written_findings(programme):
    """The counted outcomes with something written in their findings or learning, in draw
    order, with their cases: the findings page pages these."""
    return (
        _counted_in(programme)
        .filter(Q(findings__regex=_WRITTEN) | Q(learning__regex=_WRITTEN))
        .select_related("sample_case__case")
        .order_by("sample_case__position")
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


def recommendation_programmes(user, recommendation, *, excluding=()) -> list["ProgrammeRow"]:
    """The audits of a recommendation that ``user`` may open, first first, with their
    threshold figures (one query), for the recommendation's page; ``excluding`` those of
    these ids (whose cases are then not counted)."""
    if not user.has_perm("audits.view_auditprogramme"):
        return []
    return threshold_rows(
        programmes_visible_to(user)
        .filter(recommendation=recommendation)
        .exclude(pk__in=[pk for pk in excluding if pk is not None])
        .order_by("pk")
    )


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
    return threshold_rows(
        _programmes().select_related("triggered_by").filter(pk__in=list(pks)).order_by("-pk")
    )


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
    findings_count: int = 0  # written findings in all (``findings.findings`` has the first)
    learning_count: int = 0  # written learning in all (``findings.learning`` has the first)
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
        return _written_hidden_because(
            manages=self.manages, pending_moderation=self.pending_moderation
        )

    @property
    def shortfall(self) -> int:
        """How many fewer cases the criteria found than the target."""
        return max(0, self.programme.target_sample_size - self.drawn_count)


def _written_hidden_because(*, manages: bool, pending_moderation: bool) -> str:
    if not manages:
        return "The auditors' written findings and learning are shown to those who run the audit."
    if pending_moderation:
        return (
            "The auditors' written findings and learning are hidden from you until you "
            "submit your moderation, so that it stays independent."
        )
    return ""


def written_findings_hidden_because(user, programme: AuditProgramme) -> str:
    """``ProgrammePage.written_findings_hidden_because`` for the findings page, in one query:
    whether ``user`` still moderates a case whose audit alone is submitted."""
    if not manages_programme(user, programme):
        return _written_hidden_because(manages=False, pending_moderation=False)
    submitted = AuditOutcome.objects.filter(
        sample_case=OuterRef("pk"), status=OutcomeStatus.SUBMITTED
    )
    pending = (
        programme.sample_cases.filter(moderator=user.pk)
        .filter(Exists(submitted.filter(role=OutcomeRole.AUDIT)))
        .exclude(Exists(submitted.filter(role=OutcomeRole.MODERATION)))
        .exists()
    )
    return _written_hidden_because(manages=True, pending_moderation=pending)


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


def _moderated_pairs(programme: AuditProgramme) -> list[ModerationPair]:
    """The moderated cases' outcomes, paired: only those cases' outcomes are read (about a
    tenth of the sample), and only the fields agreement and blind moderation use."""
    rows = AuditOutcome.objects.filter(
        sample_case__programme=programme, sample_case__moderator__isnull=False
    ).values_list(
        "sample_case_id",
        "sample_case__auditor_id",
        "sample_case__moderator_id",
        "role",
        "status",
        "similar_issues",
        "grade",
    )
    by_case: dict[int, dict[str, AuditOutcome]] = defaultdict(dict)
    cases: dict[int, SampleCase] = {}
    for case_pk, auditor_pk, moderator_pk, role, status, similar_issues, grade in rows:
        if case_pk not in cases:
            cases[case_pk] = SampleCase(
                pk=case_pk, programme=programme, auditor_id=auditor_pk, moderator_id=moderator_pk
            )
        by_case[case_pk][role] = AuditOutcome(
            sample_case_id=case_pk,
            role=role,
            status=status,
            similar_issues=similar_issues,
            grade=grade,
        )
    return [
        ModerationPair(
            cases[case_pk], by_role.get(OutcomeRole.AUDIT), by_role.get(OutcomeRole.MODERATION)
        )
        for case_pk, by_role in by_case.items()
    ]


def _disagreements_read(moderation: Moderation) -> Moderation:
    """The disagreements shown, with their cases and outcomes read in full (one query, and
    none when there is none)."""
    if not moderation.disagreements:
        return moderation
    outcomes = AuditOutcome.objects.filter(
        sample_case__in=[d.sample_case.pk for d in moderation.disagreements]
    ).select_related("sample_case__case")
    by_case: dict[int, dict[str, AuditOutcome]] = defaultdict(dict)
    for outcome in outcomes:
        by_case[outcome.sample_case_id][outcome.role] = outcome
    disagreements = []
    for d in moderation.disagreements:
        by_role = by_case[d.sample_case.pk]
        audit, moderated = by_role[OutcomeRole.AUDIT], by_role[OutcomeRole.MODERATION]
        audit.sample_case.programme = d.sample_case.programme
        disagreements.append(Disagreement(audit.sample_case, audit, moderated))
    return Moderation(moderation.similar_issues, moderation.grade, disagreements)


WRITTEN_SHOWN = 10  # the written findings (and learning) the programme page quotes


def programme_page(programme: AuditProgramme, *, user, page_number=None) -> ProgrammePage:
    """Everything the programme page shows to ``user``, in the same queries whatever the size
    of the sample: its figures counted in SQL (``programme_figures``), the moderated cases'
    outcomes alone for the agreement, and the outcomes of one page of the cases the user may
    see (``page_number``, as ``Paginator.get_page`` takes it)."""
    manages = manages_programme(user, programme)
    figures = _sample_figures(programme)
    summary = programme_figures(
        programme, sample_size=figures["sample_count"], written=WRITTEN_SHOWN
    )
    findings = summary.findings
    threshold = findings.threshold
    pairs = _moderated_pairs(programme)

    shown = sample_cases_visible_to(user, programme)
    sample_page = Paginator(
        shown.select_related("case", "auditor", "moderator").order_by("position"), PAGE_SIZE
    ).get_page(page_number)
    page_cases = list(sample_page)
    outcomes_by_case: dict[int, dict[str, AuditOutcome]] = defaultdict(dict)
    counted: dict[int, AuditOutcome] = {}
    if page_cases:
        cases = {sample_case.pk: sample_case for sample_case in page_cases}
        for outcome in AuditOutcome.objects.filter(sample_case__in=list(cases)):
            sample_case = outcome.sample_case = cases[outcome.sample_case_id]
            sample_case.programme = programme  # known: no query to see who may see it
            outcomes_by_case[sample_case.pk][outcome.role] = outcome
            if _is_counted(outcome):
                counted[sample_case.pk] = _as_counted(outcome)
    sample_page.object_list = [
        _sample_row(sample_case, outcomes_by_case[sample_case.pk], counted, user=user)
        for sample_case in page_cases
    ]
    moderation = _disagreements_read(
        _moderation(pairs, shown=partial(sample_case_visible_to, user))
    )
    full_audit = full_audit_of(programme)
    full_audit_pk = full_audit.pk if full_audit else None
    audit_statuses = summary.audit_statuses
    concerns = LiveConcern.objects.filter(sample_case__programme=programme).select_related(
        "sample_case__case", "raised_by", "deadline"
    )
    for concern in concerns:
        concern.sample_case.programme = programme
    return ProgrammePage(
        programme=programme,
        manages=manages,
        findings=findings,
        findings_count=summary.findings_count,
        learning_count=summary.learning_count,
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
            pair.hidden_from(user) == OutcomeRole.AUDIT
            and pair.audit is not None
            and _is_counted(pair.audit)
            for pair in pairs
        ),
        unassigned=figures["unassigned"],
        drawn_count=figures["sample_count"] - figures["substitute_count"],
        substitute_count=figures["substitute_count"],
        outcome_statuses={
            "not_started": figures["sample_count"] - sum(audit_statuses.values()),
            **audit_statuses,
        },
        deadline_set_by=date_set_by(programme.deadline) if programme.deadline else None,
        # The programme's own full audit (or the sample audit it follows) has a row of its own.
        other_audits=recommendation_programmes(
            user,
            programme.recommendation,
            excluding=(programme.pk, programme.triggered_by_id, full_audit_pk),
        ),
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
