"""Every change to complaints, recommendations and their evidence that carries a rule.

Views, admin actions, management commands and tasks all call these functions. Each one saves
through django-simple-history, so the change, who made it and why are in the record's history.
Edits that start from a form carry the ``version`` the user saw: if someone else saved first,
``ConflictError`` is raised and nothing is written. Their deadlines are made, moved and
closed through ``deadlines.services``.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from deadlines import services as deadlines
from deadlines.models import DeadlineKind, DeadlineStatus
from ombudsman_tracker.formats import counted, listed
from ombudsman_tracker.history import ConflictError as ConflictError  # for callers
from ombudsman_tracker.history import (
    brought_up_to_date,
    conflict_on_duplicate,
    locked,
    save_with_history,
)
from ombudsman_tracker.uploads import evidence_for_keeping

from .models import (
    DEADLINE_STATUS_FOR,
    OMBUDSMAN_DECIDES,
    TRANSITIONS,
    Complaint,
    Evidence,
    Recommendation,
    RecommendationStatus,
)

# --- Complaints several councils share ------------------------------------------------------

# What every council a complaint binds shares. Each of these sets deadlines or statutory clocks
# for every council bound, so only someone whose access covers all of them may change one.
# The title, service area and summary describe the complaint and are anyone's to edit.
COMPLAINT_SHARED_FACTS = (
    "ombudsman",
    "reference",
    "finding",
    "is_public_interest_report",
    "report_date",
    "received_date",
    "organisations",
)
ACCESS_TO_EVERY_COUNCIL = (
    "only someone whose access covers every council on this complaint (an administrator who "
    "sees every organisation) can change"
)


def organisations_not_covered(user, organisations) -> list:
    """Those of ``organisations`` the user's access does not cover: none for a user who sees
    every organisation; otherwise every one but the user's own."""
    return [organisation for organisation in organisations if not user.acts_for(organisation)]


def covers_every_organisation(user, organisations) -> bool:
    """Whether the user's access covers each of ``organisations``."""
    return not organisations_not_covered(user, organisations)


def complaint_shared_facts_editable_by(complaint: Complaint, user) -> bool:
    """Whether ``user`` may change the complaint's ``COMPLAINT_SHARED_FACTS``: only if their
    access covers every organisation it binds. A change of the organisations must also cover
    those it would bind afterwards (``complaint_organisations_check``)."""
    return covers_every_organisation(user, complaint.organisations.all())


def _records_of(complaint: Complaint, organisation) -> list[str]:
    """What the organisation has on the complaint, in words ("1 recommendation", ...)."""
    deadlines = complaint.deadlines.filter(organisation=organisation)
    statutory = DeadlineKind.statutory()
    counts = [
        (complaint.recommendations.filter(organisation=organisation).count(), "recommendation"),
        (deadlines.filter(kind__in=statutory).count(), "statutory clock"),
        (
            deadlines.exclude(kind__in=[DeadlineKind.RECOMMENDATION, *statutory]).count(),
            "other deadline",
        ),
    ]
    return [counted(count, singular) for count, singular in counts if count]


def _shared_facts_refusal(user, changed, bound, chosen=()) -> str:
    """Why ``user`` may not change the ``changed`` shared facts of a complaint binding
    ``bound`` (and, for a change of organisations, ``chosen`` afterwards)."""
    labels = listed(Complaint._meta.get_field(name).verbose_name for name in changed)
    if shared_with := organisations_not_covered(user, bound):
        situation = f"this complaint is shared with {listed(shared_with)}"
    else:
        situation = f"the change would bind {listed(organisations_not_covered(user, chosen))}"
    return f"You cannot change the {labels}: {situation}, and {ACCESS_TO_EVERY_COUNCIL} these."


def complaint_organisations_check(*, user, organisations, complaint: Complaint | None = None):
    """Raise ``ValidationError`` (on ``organisations``) unless ``user`` may make the complaint
    bind ``organisations``; ``complaint`` is None for a new one.

    A new complaint must bind the user's own organisation unless they see every organisation
    (others may be bound too: one report can bind several councils). A recorded complaint's
    organisations change only for a user whose access covers every organisation it binds
    before and after, and none is removed while it has recommendations or deadlines on it.
    """
    chosen = {organisation.pk: organisation for organisation in organisations}
    if not chosen:
        raise ValidationError({"organisations": "Select the organisations the complaint binds"})
    if complaint is None:
        if not user.sees_every_organisation and user.organisation_id not in chosen:
            raise ValidationError(
                {
                    "organisations": f"Select {user.organisation}: you can only record "
                    "complaints that bind your own organisation"
                }
            )
        return
    bound = {organisation.pk: organisation for organisation in complaint.organisations.all()}
    if chosen.keys() == bound.keys():
        return
    if not covers_every_organisation(user, [*bound.values(), *chosen.values()]):
        raise ValidationError(
            {
                "organisations": _shared_facts_refusal(
                    user, ["organisations"], bound.values(), chosen.values()
                )
            }
        )
    problems = [
        f"{organisation} cannot be removed from this complaint: it has {listed(records)} on it."
        for pk, organisation in bound.items()
        if pk not in chosen and (records := _records_of(complaint, organisation))
    ]
    if problems:
        raise ValidationError({"organisations": problems})


@transaction.atomic
def complaint_create(*, organisations, by, clock_owner=None, **fields) -> Complaint:
    """Record a complaint; a public interest report gets its statutory clocks at once.

    Unless ``by`` sees every organisation, the complaint must bind their own organisation
    (``complaint_organisations_check``; ``ValidationError`` otherwise). A reference already
    recorded is a ``ValidationError``; one recorded by someone else at the same moment (the
    councils of a cross-border complaint, a double click) is a ``ConflictError``.
    """
    complaint_organisations_check(user=by, organisations=organisations)
    complaint = Complaint(**fields)
    complaint.full_clean()
    with conflict_on_duplicate(complaint):
        save_with_history(complaint, by=by, reason="Complaint recorded")
    complaint.organisations.set(organisations)
    deadlines.statutory_clocks_generate(complaint=complaint, by=by, owner=clock_owner)
    return complaint


@transaction.atomic
def complaint_update(*, complaint: Complaint, version: int, by, organisations=None, **fields):
    """Edit a complaint. Open deadlines counted from its dates follow a change of those dates,
    for every council it binds.

    The facts the councils share (``COMPLAINT_SHARED_FACTS``) change only for a user whose
    access covers every organisation the complaint binds, before and after, and no
    organisation is removed while it has recommendations or deadlines on it
    (``complaint_organisations_check``): otherwise ``ValidationError``, and nothing is written.
    """
    stored = locked(complaint)  # the facts as saved, not as a form may have set them on it
    changed = [
        name
        for name, value in fields.items()
        if name in COMPLAINT_SHARED_FACTS and value != getattr(stored, name)
    ]
    if changed and not complaint_shared_facts_editable_by(stored, by):
        raise ValidationError(_shared_facts_refusal(by, changed, stored.organisations.all()))
    if organisations is not None:
        complaint_organisations_check(user=by, organisations=organisations, complaint=stored)
    for name, value in fields.items():
        setattr(complaint, name, value)
    complaint.full_clean()
    save_with_history(complaint, by=by, reason="Complaint edited", expected_version=version)
    if organisations is not None:
        complaint.organisations.set(organisations)
    # Only a changed date moves deadlines: saving them otherwise would make every council's
    # open recommendation forms stale for an edit of the title.
    deadlines.deadlines_follow_complaint(complaint=complaint, changed_fields=changed, by=by)
    return complaint


@transaction.atomic
def recommendation_create(
    *,
    complaint: Complaint,
    organisation,
    number: int,
    text: str,
    kind: str,
    expected_evidence: str,
    owner,
    by,
    rule: dict,
) -> Recommendation:
    """Record a recommendation and its deadline (``rule``: ``deadline_apply_rule``'s arguments).

    The organisation must be one the complaint binds and one ``by``'s access covers: each
    council records its own recommendations (``ValidationError`` otherwise).
    """
    locked(complaint)  # so that its organisations cannot change until this is recorded
    if not complaint.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(f"The complaint does not bind {organisation}.")
    if not covers_every_organisation(by, [organisation]):
        raise ValidationError(
            f"You can record recommendations only for {by.organisation}, not {organisation}."
        )
    deadline = deadlines.deadline_create(
        complaint=complaint,
        organisation=organisation,
        kind=DeadlineKind.RECOMMENDATION,
        title=f"{complaint.reference} recommendation {number}",
        owner=owner,
        rule=rule,
        by=by,
        reason="Recommendation recorded",
    )
    recommendation = Recommendation(
        complaint=complaint,
        organisation=organisation,
        number=number,
        text=text,
        kind=kind,
        expected_evidence=expected_evidence,
        deadline=deadline,
    )
    recommendation.full_clean()
    save_with_history(recommendation, by=by, reason="Recommendation recorded")
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, version: int, by, owner=None, rule=None, **fields
) -> Recommendation:
    """Edit a recommendation's text, kind, expected evidence, owner or deadline rule.

    The complaint is locked, as by ``recommendation_create``, so a number taken at the same
    moment by another recommendation is a ``ValidationError``, not a refused insert.
    """
    locked(recommendation.complaint)
    for name, value in fields.items():
        setattr(recommendation, name, value)
    recommendation.full_clean()
    save_with_history(
        recommendation, by=by, reason="Recommendation edited", expected_version=version
    )
    recommendation.deadline = deadlines.deadline_update(
        deadline=recommendation.deadline,
        owner=owner,
        title=f"{recommendation.complaint.reference} recommendation {recommendation.number}",
        rule=rule,
        by=by,
        reason="Recommendation edited",
    )
    return recommendation


@transaction.atomic
def recommendation_transition(
    *,
    recommendation: Recommendation,
    to_status: str,
    by,
    on: date,
    version: int | None = None,
    reason: str = "",
    ombudsman: bool = False,
) -> Recommendation:
    """Move a recommendation along ``TRANSITIONS``; its deadline is met, not met, reopened or
    awaits the Ombudsman.

    Complied needs at least one piece of evidence. ``on`` is the day it happened, which
    decides whether compliance was on time or late. The status is checked on the locked row,
    so two people acting on the same recommendation take turns and the second is refused.

    ``ombudsman``: the change comes from the Ombudsman's correspondence (``verdicts.services``
    only). Only such a change reaches or leaves ``OMBUDSMAN_DECIDES`` (evidence sent, awaiting
    the Ombudsman); and once a recommendation's evidence has been sent, only the Ombudsman's
    satisfaction makes it complied (the letter of satisfaction is its evidence). A
    recommendation whose evidence was never sent through the app (old data, other ombudsmen)
    is still marked complied directly.
    """
    brought_up_to_date(recommendation)
    allowed = TRANSITIONS[recommendation.status]
    if to_status not in allowed:
        raise ValidationError(
            f"A recommendation that is {recommendation.get_status_display().lower()} cannot "
            f"become {RecommendationStatus(to_status).label.lower()}."
        )
    if not ombudsman:
        _ombudsman_decides_check(recommendation, to_status)
    # The Ombudsman satisfied needs no evidence here: the letter of satisfaction is its evidence.
    if (
        not ombudsman
        and to_status == RecommendationStatus.COMPLIED
        and not recommendation.evidence.exists()
    ):
        raise ValidationError(
            "Add evidence before marking this recommendation complied: the Ombudsman expects "
            f"{recommendation.expected_evidence.rstrip('.')}."
        )
    recommendation.status = to_status
    label = RecommendationStatus(to_status).label
    save_with_history(
        recommendation,
        by=by,
        reason=f"Status changed to {label}" + (f": {reason}" if reason else ""),
        expected_version=version,
    )
    deadline, why = recommendation.deadline, f"Recommendation {label.lower()}"
    match DEADLINE_STATUS_FOR[to_status]:
        case DeadlineStatus.MET | DeadlineStatus.NOT_MET as closed:
            met = closed == DeadlineStatus.MET
            deadline = deadlines.deadline_complete(
                deadline=deadline, on=on, met=met, by=by, reason=why
            )
        case DeadlineStatus.WITHDRAWN:
            deadline = deadlines.deadline_withdraw(deadline=deadline, by=by, reason=why)
        case DeadlineStatus.AWAITING:
            if deadline.status != DeadlineStatus.OPEN:  # was met or not met
                deadline = deadlines.deadline_reopen(deadline=deadline, by=by, reason=why)
            deadline = deadlines.deadline_await(deadline=deadline, on=on, by=by, reason=why)
        case DeadlineStatus.OPEN:
            deadline = deadlines.deadline_reopen(deadline=deadline, by=by, reason=why)
    recommendation.deadline = deadline
    return recommendation


def _ombudsman_decides_check(recommendation: Recommendation, to_status: str) -> None:
    """Refuse a change that only the Ombudsman's correspondence may make."""
    if recommendation.status in OMBUDSMAN_DECIDES:
        raise ValidationError(
            "The evidence for this recommendation has been sent to the Ombudsman: record the "
            "Ombudsman's reply to change its status."
        )
    if to_status in OMBUDSMAN_DECIDES:
        raise ValidationError(
            f"A recommendation becomes {RecommendationStatus(to_status).label.lower()} when "
            "its evidence is sent to the Ombudsman."
        )
    if to_status == RecommendationStatus.COMPLIED and evidence_ever_sent(recommendation):
        raise ValidationError(
            "The evidence for this recommendation has been sent to the Ombudsman before, so it "
            "is complied only once the Ombudsman is satisfied: send the evidence again and "
            "record the Ombudsman's reply."
        )


def evidence_ever_sent(recommendation: Recommendation) -> bool:
    """Whether the recommendation has ever awaited the Ombudsman (its history says)."""
    return recommendation.history.filter(status__in=OMBUDSMAN_DECIDES).exists()


@transaction.atomic
def evidence_add(
    *, recommendation: Recommendation, description: str, by, at: datetime, file=None, url=""
) -> Evidence:
    """Attach a file (checksummed) or a link to a recommendation.

    A file is kept only if ``upload_check`` accepts its content (and ClamAV, when configured,
    finds no virus), under a name the server makes with the extension of what it really is.
    """
    evidence = Evidence(
        recommendation=recommendation,
        description=description,
        url=url,
        added_by=by,
        added_at=at,
    )
    if file is not None:
        evidence.file, evidence.sha256 = evidence_for_keeping(file, field="file")
    evidence.full_clean()
    save_with_history(evidence, by=by, reason="Evidence added")
    return evidence
