"""Every change to an audit programme that carries a rule: draw, assign, record, decide.

Each function records history (django-simple-history) with who and why. Outcome edits carry
the version the auditor saw, so two people saving the same outcome never overwrite each other.
"""

import math
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from deadlines import services as deadline_services
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor, Deadline, DeadlineKind
from ombudsman_tracker.history import ConflictError, conflict_on_duplicate, save_with_history
from organisations.models import Team
from outbox.services import job_record
from recommendations.models import Recommendation

from . import sampling
from .emails import FULL_AUDIT_NOTICE, LIVE_CONCERN_EMAIL
from .models import (
    OUTCOME_FIELDS,
    AuditOutcome,
    AuditProgramme,
    LiveConcern,
    OutcomeRole,
    OutcomeStatus,
    PopulationCase,
    PopulationMember,
    ProgrammeKind,
    SampleCase,
)
from .selectors import (
    MANAGE,
    concern_answerable_by,
    concern_responder,
    moderation_pair,
    programme_threshold,
    sample_audits_of,
)


def population_matching(programme: AuditProgramme):
    """The cases of the programme's organisation that meet its criteria."""
    cases = PopulationCase.objects.filter(
        organisation=programme.recommendation.organisation_id,
        closed_on__gte=programme.closed_from,
        closed_on__lte=programme.closed_to,
    )
    if programme.cross_border_only:
        cases = cases.filter(cross_border=True)
    needs = set(programme.presenting_needs)
    for case in cases.only("pk", "case_reference", "presenting_needs").iterator():
        if not needs or needs.intersection(case.presenting_needs):
            yield case


def _programme_deadline(*, recommendation, kind, title, owner, due_date, by) -> Deadline:
    return deadline_services.deadline_create(
        complaint=recommendation.complaint,
        organisation=recommendation.organisation,
        kind=kind,
        title=title,
        owner=owner,
        rule={"counting": Counting.STATED, "stated_date": due_date},
        by=by,
        reason=f"{DeadlineKind(kind).label} set up",
    )


@transaction.atomic
def programme_create(
    *, recommendation, title, owner, due_date, by, another_audit_reason: str = "", **criteria
) -> AuditProgramme:
    """Set up the audit a recommendation asks for, with its owner and deadline.

    A recommendation has one sample audit: a second would audit, and count, the same cases
    again. A manager may still set up another (say, the first was set up with the wrong
    criteria) by giving ``another_audit_reason``, which is kept with it; without one it is
    refused. The recommendation is locked while this runs, so two managers setting up its
    audit at once take turns (and the database refuses a second unexplained one regardless).
    """
    Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    reason = another_audit_reason.strip()
    others = list(sample_audits_of(recommendation))
    if others:
        if not by.has_perm(MANAGE):
            raise ValidationError("Only a manager can set up another audit of a recommendation.")
        if not reason:
            raise ValidationError(
                {
                    "another_audit_reason": (
                        f"This recommendation already has an audit ({others[0].title}): enter "
                        "why another audit is needed"
                    )
                }
            )
    else:
        reason = ""  # the first audit needs no reason
    programme = AuditProgramme(
        recommendation=recommendation,
        title=title,
        owner=owner,
        another_audit_reason=reason,
        **criteria,
    )
    programme.full_clean(exclude=["deadline"])
    programme.deadline = _programme_deadline(
        recommendation=recommendation,
        kind=DeadlineKind.AUDIT_PROGRAMME,
        title=title,
        owner=owner,
        due_date=due_date,
        by=by,
    )
    why = (
        f"Another audit of the recommendation set up: {reason}"
        if reason
        else "Audit programme set up"
    )
    save_with_history(programme, by=by, reason=why)
    return programme


@transaction.atomic
def sample_draw(*, programme: AuditProgramme, by, at: datetime, seed: str | None = None):
    """Freeze the matching population and draw the sample by the documented method.

    Where fewer cases match than the target, all are taken and the shortfall is shown, so a
    manager can add similar cases with a reason for each (``substitute_add``).
    """
    programme = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
    if programme.is_drawn:
        raise ValidationError("The sample has already been drawn; extend it instead.")
    cases = {case.case_reference: case for case in population_matching(programme)}
    if not cases:
        raise ValidationError("No cases in the population match the programme's criteria.")
    PopulationMember.objects.bulk_create(
        PopulationMember(programme=programme, case=case) for case in cases.values()
    )
    programme.sampling_method = sampling.METHOD
    programme.seed = seed or sampling.new_seed()
    programme.population_checksum = sampling.population_checksum(cases)
    programme.population_size = len(cases)
    programme.drawn_by, programme.drawn_at = by, at
    target = programme.target_sample_size
    if programme.kind == ProgrammeKind.FULL:
        target = len(cases)
    drawn = sampling.draw(programme.seed, cases, target)
    SampleCase.objects.bulk_create(
        SampleCase(programme=programme, case=cases[reference], position=position)
        for position, reference in enumerate(drawn, start=1)
    )
    save_with_history(
        programme, by=by, reason=f"Sample of {len(drawn)} drawn from {len(cases)} cases"
    )
    return programme


def _frozen_references(programme) -> dict[str, PopulationCase]:
    members = PopulationMember.objects.filter(programme=programme).select_related("case")
    return {member.case.case_reference: member.case for member in members}


@transaction.atomic
def sample_extend(*, programme: AuditProgramme, by, count: int) -> list[SampleCase]:
    """Take the next ``count`` cases in the same ranking; the first cases never change."""
    programme = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
    if not programme.is_drawn:
        raise ValidationError("Draw the sample before extending it.")
    population = _frozen_references(programme)
    taken = set(programme.sample_cases.values_list("case__case_reference", flat=True))
    following = [ref for ref in sampling.ranked(programme.seed, population) if ref not in taken]
    if not following:
        raise ValidationError("Every case in the population is already in the sample.")
    last = programme.sample_cases.aggregate(last=Max("position"))["last"] or 0
    added = SampleCase.objects.bulk_create(
        SampleCase(programme=programme, case=population[reference], position=last + offset)
        for offset, reference in enumerate(following[:count], start=1)
    )
    programme.target_sample_size = max(programme.target_sample_size, last + len(added))
    save_with_history(programme, by=by, reason=f"Sample extended by {len(added)} cases")
    return added


@transaction.atomic
def substitute_add(*, programme: AuditProgramme, case: PopulationCase, reason: str, by):
    """Add a similar case where the criteria found too few, with the reason for it.

    The programme is locked, so two managers adding at once take turns: the second sees the
    first's case (already in the sample) and its position (the next one is taken).
    """
    if not reason.strip():
        raise ValidationError("Give the reason this case is a similar case.")
    programme = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
    if case.organisation_id != programme.recommendation.organisation_id:
        raise ValidationError("The case belongs to another organisation.")
    if programme.sample_cases.filter(case=case).exists():
        raise ValidationError(f"{case} is already in the sample.")
    last = programme.sample_cases.aggregate(last=Max("position"))["last"] or 0
    sample_case = SampleCase(
        programme=programme, case=case, position=last + 1, substitute_reason=reason
    )
    save_with_history(sample_case, by=by, reason="Similar case added")
    return sample_case


def _independent(auditor, case: PopulationCase) -> bool:
    return not auditor.team or auditor.team != case.team


@transaction.atomic
def auditors_assign(*, programme: AuditProgramme, by) -> None:
    """Spread unassigned cases evenly, never giving an auditor a case from their own team.

    Then give the moderation subsample (``moderation_percent`` of the sample, spread through
    it) to a second auditor, also independent of the case's team. The cases are locked while
    this runs, so a case reassigned at the same moment is seen as it was saved.
    """
    auditors = list(programme.auditors.order_by("pk"))
    if not auditors:
        raise ValidationError("Add auditors to the programme first.")
    sample_cases = list(
        programme.sample_cases.select_related("case", "auditor", "moderator").select_for_update(
            of=("self",)
        )
    )
    load = Counter(sc.auditor_id for sc in sample_cases if sc.auditor_id)
    for sample_case in sample_cases:
        if sample_case.auditor_id:
            continue
        candidates = [a for a in auditors if _independent(a, sample_case.case)]
        if not candidates:
            raise ValidationError(
                f"Every auditor works in the team of case {sample_case.case}: add an auditor "
                "from another team."
            )
        chosen = min(candidates, key=lambda a: (load[a.pk], a.pk))
        load[chosen.pk] += 1
        sample_case.auditor = chosen
        save_with_history(sample_case, by=by, reason=f"Assigned to {chosen}")
    _moderation_assign(programme, sample_cases, auditors, by=by)


def _moderation_assign(programme, sample_cases, auditors, *, by):
    wanted = math.ceil(len(sample_cases) * programme.moderation_percent / 100)
    already = sum(1 for sc in sample_cases if sc.moderator_id)
    if already >= wanted or len(auditors) < 2:
        return
    # Spread through the sample; fill from the rest where independence rules a case out.
    spread = sample_cases[:: max(1, len(sample_cases) // wanted)]
    order = spread + [sc for sc in sample_cases if sc not in spread]
    second_load = Counter(sc.moderator_id for sc in sample_cases if sc.moderator_id)
    for sample_case in order:
        if already >= wanted:
            break
        candidates = [
            a
            for a in auditors
            if a.pk != sample_case.auditor_id and _independent(a, sample_case.case)
        ]
        if sample_case.moderator_id or not candidates:
            continue
        chosen = min(candidates, key=lambda a: (second_load[a.pk], a.pk))
        second_load[chosen.pk] += 1
        sample_case.moderator = chosen
        save_with_history(sample_case, by=by, reason=f"Moderation by {chosen}")
        already += 1


@transaction.atomic
def sample_case_reassign(*, sample_case: SampleCase, auditor, by) -> SampleCase:
    """A manager moves a case to another auditor, still never to the case's own team.

    Checked on the case as saved (locked), so a moderator given to it since is not overwritten.
    """
    sample_case.refresh_from_db(from_queryset=SampleCase.objects.select_for_update())
    if not _independent(auditor, sample_case.case):
        raise ValidationError(f"{auditor} works in the team of case {sample_case.case}.")
    if sample_case.moderator_id == auditor.pk:
        raise ValidationError(f"{auditor} is already the case's moderator.")
    if sample_case.outcomes.filter(role=OutcomeRole.AUDIT, status=OutcomeStatus.SUBMITTED).exists():
        raise ValidationError("The outcome has been submitted; reopen it first.")
    sample_case.auditor = auditor
    save_with_history(sample_case, by=by, reason=f"Reassigned to {auditor}")
    return sample_case


def _role_for(sample_case: SampleCase, auditor) -> str:
    if sample_case.auditor_id == auditor.pk:
        return OutcomeRole.AUDIT
    if sample_case.moderator_id == auditor.pk:
        return OutcomeRole.MODERATION
    raise ValidationError("This case is not assigned to you.")


@transaction.atomic
def outcome_save(
    *, sample_case: SampleCase, auditor, answers: dict, version: int | None, submit: bool, at
) -> AuditOutcome:
    """Save an auditor's answers as a draft, or submit them (which locks them).

    ``version`` is the version of the outcome the auditor opened (None for a new one); if
    someone saved it in between, or saved a new one at the same moment (another tab, a double
    click), ``ConflictError`` is raised and nothing is written.
    """
    role = _role_for(sample_case, auditor)
    outcome = AuditOutcome.objects.filter(sample_case=sample_case, role=role).first()
    if outcome is None:
        if version is not None:
            raise ConflictError(AuditOutcome(sample_case=sample_case))
        outcome = AuditOutcome(sample_case=sample_case, role=role, auditor=auditor)
    elif outcome.is_locked:
        raise ValidationError("This outcome has been submitted: a manager must reopen it.")
    elif version is None:
        # Opened before the first save (another tab, another device): someone saved since.
        raise ConflictError(outcome)
    unknown = set(answers) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValueError(f"Unknown answers: {sorted(unknown)}")
    for name, value in answers.items():
        setattr(outcome, name, value)
    if submit:
        missing = [
            AuditOutcome._meta.get_field(name).verbose_name
            for name in ("grade", "similar_issues")
            if getattr(outcome, name) in ("", None)
        ]
        if missing:
            raise ValidationError(
                [f"Answer '{question}' before submitting." for question in missing]
            )
        outcome.status, outcome.submitted_at = OutcomeStatus.SUBMITTED, at
    reason = "Outcome submitted" if submit else "Draft saved"
    if outcome.pk:
        save_with_history(outcome, by=auditor, reason=reason, expected_version=version)
    else:
        # Another tab (or a double click) may save the first version at the same moment.
        with conflict_on_duplicate(outcome):
            save_with_history(outcome, by=auditor, reason=reason)
    return outcome


@transaction.atomic
def outcome_reopen(*, outcome: AuditOutcome, reason: str, by) -> AuditOutcome:
    """A manager unlocks a submitted outcome; the history keeps the submitted answers.

    The status is checked on the locked row: an outcome reopened since is refused (nothing to
    reopen); one changed since the manager opened it is a ``ConflictError``.
    """
    seen_version = outcome.version
    outcome.refresh_from_db(from_queryset=AuditOutcome.objects.select_for_update())
    if not outcome.is_locked:
        raise ValidationError("Only a submitted outcome can be reopened.")
    if not reason.strip():
        raise ValidationError("Give the reason for reopening the outcome.")
    outcome.status, outcome.submitted_at = OutcomeStatus.DRAFT, None
    save_with_history(outcome, by=by, reason=f"Reopened: {reason}", expected_version=seen_version)
    return outcome


@transaction.atomic
def moderation_settle(
    *, sample_case: SampleCase, similar_issues: bool, grade: str, seen: str, by
) -> SampleCase:
    """A manager settles a disagreement between the auditor and the moderator.

    Only once both have submitted: until then neither has seen the other's answers, and there
    is nothing to settle yet (``ValidationError``). ``seen`` is the ``ModerationPair.seen`` the
    manager decided on. The case and both outcomes are locked while this runs; if someone else
    settled the case or an outcome changed since, ``ConflictError`` is raised and nothing is
    written, so two managers settling at once never silently overwrite each other.
    """
    sample_case = SampleCase.objects.select_for_update().get(pk=sample_case.pk)
    pair = moderation_pair(sample_case, lock=True)
    if pair.not_settleable_because:
        raise ValidationError(pair.not_settleable_because)
    if pair.seen != seen:
        raise ConflictError(sample_case)
    sample_case.settled_similar_issues, sample_case.settled_grade = similar_issues, grade
    sample_case.settled_by = by
    save_with_history(sample_case, by=by, reason="Moderation settled")
    return sample_case


@transaction.atomic
def full_audit_create(*, programme: AuditProgramme, owner, due_date, by, at) -> AuditProgramme:
    """When the threshold has triggered: a new programme over every matching case.

    Records who confirmed it. The full audit has its own owner and deadline; the
    organisation's managers are emailed by the outbox (a job recorded with it).
    """
    programme = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
    if not programme_threshold(programme).triggers_full_audit:
        raise ValidationError("The threshold has not been triggered: no full audit is needed.")
    if hasattr(programme, "full_audit"):
        raise ValidationError("The full audit has already been created.")
    full = AuditProgramme(
        recommendation=programme.recommendation,
        kind=ProgrammeKind.FULL,
        title=f"Full audit following {programme.title}",
        triggered_by=programme,
        closed_from=programme.closed_from,
        closed_to=programme.closed_to,
        cross_border_only=programme.cross_border_only,
        presenting_needs=programme.presenting_needs,
        target_sample_size=programme.population_size or programme.target_sample_size,
        threshold_percent=programme.threshold_percent,
        owner=owner,
    )
    full.deadline = _programme_deadline(
        recommendation=programme.recommendation,
        kind=DeadlineKind.FULL_AUDIT,
        title=full.title,
        owner=owner,
        due_date=due_date,
        by=by,
    )
    save_with_history(full, by=by, reason="Full audit created: the threshold was triggered")
    programme.full_audit_confirmed_by, programme.full_audit_confirmed_at = by, at
    save_with_history(programme, by=by, reason="Full audit confirmed")
    job_record(kind=FULL_AUDIT_NOTICE, object_id=full.pk)
    return full


def team_manager_email_for(sample_case: SampleCase) -> str:
    """The email of the manager of the case's team, if the team is known."""
    team = Team.objects.filter(
        organisation=sample_case.case.organisation_id, name=sample_case.case.team
    ).first()
    return team.manager_email if team else ""


LIVE_CONCERN_DEADLINE_TITLE = "Response to a live concern"


@transaction.atomic
def concern_raise(
    *, sample_case: SampleCase, concern: str, raised_by, at, team_manager_email: str = ""
) -> LiveConcern:
    """Raise a child-at-risk-now concern to the case's team manager at once.

    The concern gets a deadline for the manager's response (``LIVE_CONCERN_RESPONSE_WORKING_
    DAYS``), owned by those who must respond, not the auditor (``selectors.concern_responder``:
    the team manager it is sent to, if they are one of the organisation's managers; otherwise
    nobody, so every manager of the organisation is reminded). The email is recorded with it
    as an outbox job, sent within a minute (the concern's page says when it went). Concerns
    never enter the audit's figures.
    """
    if not concern.strip():
        raise ValidationError("Describe the concern.")
    email = team_manager_email or team_manager_email_for(sample_case)
    if not email:
        raise ValidationError(
            f"No manager is recorded for the team '{sample_case.case.team}': enter the team "
            "manager's email address."
        )
    recommendation = sample_case.programme.recommendation
    deadline = deadline_services.deadline_create(
        complaint=recommendation.complaint,
        organisation=recommendation.organisation,
        kind=DeadlineKind.LIVE_CONCERN,
        # Everyone of the organisation sees deadlines (home, dashboard, reminders, calendars):
        # the title names neither the case nor the concern.
        title=LIVE_CONCERN_DEADLINE_TITLE,
        owner=concern_responder(recommendation.organisation, email=email),
        rule={
            "counting": Counting.WITHIN,
            "count": settings.LIVE_CONCERN_RESPONSE_WORKING_DAYS,
            "unit": Unit.WORKING_DAYS,
            "anchor": Anchor.OTHER_DATE,
            "anchor_date": timezone.localdate(at),
            "anchor_label": "the day the concern was raised",
        },
        by=raised_by,
        reason="Live concern raised",
    )
    live_concern = LiveConcern(
        sample_case=sample_case,
        raised_by=raised_by,
        raised_at=at,
        concern=concern,
        team_manager_email=email,
        deadline=deadline,
    )
    save_with_history(live_concern, by=raised_by, reason="Live concern raised")
    job_record(kind=LIVE_CONCERN_EMAIL, object_id=live_concern.pk)
    return live_concern


@transaction.atomic
def concern_respond(*, concern: LiveConcern, response: str, by, at) -> LiveConcern:
    """Record the team manager's response; the concern's deadline is met.

    Only a manager of the case's organisation records it (``concern_answerable_by``). The
    concern and its deadline are locked and checked as saved: a second response is refused.
    """
    concern.refresh_from_db(from_queryset=LiveConcern.objects.select_for_update())
    if not concern_answerable_by(concern, by):
        raise ValidationError("Only a manager of the case's organisation can record the response.")
    if concern.responded_at:
        raise ValidationError("A response has already been recorded.")
    if not response.strip():
        raise ValidationError("Enter the response.")
    concern.response, concern.responded_by, concern.responded_at = response, by, at
    save_with_history(concern, by=by, reason="Response recorded")
    concern.deadline = deadline_services.deadline_complete(
        deadline=concern.deadline, on=timezone.localdate(at), by=by, reason="Live concern answered"
    )
    return concern


# --- Auditors on a programme (added with the audits pages) ----------------------------------


@transaction.atomic
def auditor_add(*, programme: AuditProgramme, auditor, by) -> None:
    """Add an auditor: staff of the council or of a partner agency who may record outcomes."""
    if not auditor.is_active or not auditor.has_perm("audits.record_audit_outcome"):
        raise ValidationError(f"{auditor} may not record audit outcomes.")
    if programme.auditors.filter(pk=auditor.pk).exists():
        raise ValidationError(f"{auditor} is already an auditor on this programme.")
    programme._history_user, programme._change_reason = by, f"Auditor added: {auditor}"
    programme.auditors.add(auditor)


@transaction.atomic
def auditor_remove(*, programme: AuditProgramme, auditor, by) -> None:
    """Take an auditor off the programme, once none of their cases is still to be recorded.

    Cases they have submitted keep them as their auditor or moderator.
    """
    open_cases = (
        programme.sample_cases.filter(Q(auditor=auditor) | Q(moderator=auditor))
        .exclude(
            pk__in=AuditOutcome.objects.filter(
                auditor=auditor, status=OutcomeStatus.SUBMITTED
            ).values("sample_case")
        )
        .count()
    )
    if open_cases:
        raise ValidationError(
            f"{auditor} has {open_cases} case(s) still to record: reassign them first."
        )
    programme._history_user, programme._change_reason = by, f"Auditor removed: {auditor}"
    programme.auditors.remove(auditor)
