"""Every change to complaints, recommendations and deadlines that carries a rule.

Views, admin actions, management commands and tasks all call these functions. Each one saves
through django-simple-history, so the change, who made it and why are in the record's history.
Edits that start from a form carry the ``version`` the user saw: if someone else saved first,
``ConflictError`` is raised and nothing is written.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_text_list

from ombudsman_tracker.checksums import upload_sha256
from ombudsman_tracker.history import ConflictError as ConflictError  # for callers
from ombudsman_tracker.history import conflict_on_duplicate, save_with_history
from ombudsman_tracker.uploads import upload_for_keeping

from .deadlines import Counting, due_date
from .models import (
    DEADLINE_STATUS_FOR,
    TRANSITIONS,
    Anchor,
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Evidence,
    Extension,
    ExtensionStatus,
    Recommendation,
    RecommendationStatus,
    StatutoryClockRule,
)


def _locked(instance):
    """A fresh copy of the row, locked until the transaction ends, so a stale copy held by
    the caller never overwrites a change made in between (for example an extension)."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def _brought_up_to_date(instance):
    """Lock the row and bring the caller's own copy up to date with it, so the state a service
    checks is the state saved, not the one the caller read: of two stale copies, the second
    sees what the first did. (The caller's copy, not another, so the caller sees the result.)"""
    instance.refresh_from_db(from_queryset=type(instance).objects.select_for_update())
    return instance


ANCHOR_LABELS = {
    Anchor.REPORT_DATE: "the date of the report",
    Anchor.RECEIVED_DATE: "the date the report was received",
}


def _anchor_date(complaint: Complaint, anchor: str) -> date | None:
    if anchor == Anchor.REPORT_DATE:
        return complaint.report_date
    if anchor == Anchor.RECEIVED_DATE:
        return complaint.received_date
    return None


def deadline_apply_rule(
    deadline: Deadline,
    *,
    counting: str,
    count: int | None = None,
    unit: str = "",
    anchor: str = "",
    anchor_date: date | None = None,
    anchor_label: str = "",
    stated_date: date | None = None,
) -> None:
    """Set a deadline's rule and the dates it gives (unsaved). A stated date is stored as given."""
    deadline.counting, deadline.count, deadline.unit, deadline.anchor = (
        counting,
        count,
        unit,
        anchor,
    )
    if counting == Counting.STATED:
        if stated_date is None:
            raise ValidationError("Enter the date the Ombudsman stated.")
        deadline.count, deadline.unit, deadline.anchor, deadline.anchor_date = None, "", "", None
        deadline.anchor_label, deadline.computed_due_date = "", None
        computed = stated_date
    else:
        if anchor != Anchor.OTHER_DATE:
            anchor_date = _anchor_date(deadline.complaint, anchor)
            anchor_label = ANCHOR_LABELS[anchor]
        if anchor_date is None:
            raise ValidationError(
                "The deadline counts from a date that has not been recorded yet "
                "(for example the date the report was received)."
            )
        deadline.anchor_date = anchor_date
        deadline.anchor_label = f"{anchor_label} ({anchor_date:%-d %B %Y})"
        computed = due_date(anchor=anchor_date, count=count, unit=unit, counting=counting)
        deadline.computed_due_date = computed
    if (
        deadline.pk is None
        or not deadline.extensions.filter(status=ExtensionStatus.AGREED).exists()
    ):
        deadline.original_due_date = computed
        deadline.due_date = computed
        deadline.override_reason = ""


def deadline_override(*, deadline: Deadline, due_date: date, reason: str, by, version=None):
    """Replace the date a rule gave with another one, with the reason (the rule stays visible)."""
    if not reason.strip():
        raise ValidationError("Give the reason the due date differs from the rule.")
    deadline.due_date = deadline.original_due_date = due_date
    deadline.override_reason = reason
    save_with_history(
        deadline, by=by, reason=f"Due date overridden: {reason}", expected_version=version
    )
    return deadline


def _statutory_clock_dates(complaint: Complaint):
    """Yield (rule, anchor_date, anchor_label) for each clock, following rules in order."""
    due_by_kind: dict[str, date] = {}
    for rule in StatutoryClockRule.objects.all():
        if rule.anchor == Anchor.OTHER_DATE:
            anchor_date = due_by_kind.get(rule.follows)
            label = f"the due date of the {DeadlineKind(rule.follows).label}"
        else:
            anchor_date = _anchor_date(complaint, rule.anchor)
            label = ANCHOR_LABELS[rule.anchor]
        if anchor_date is None:
            continue
        due_by_kind[rule.kind] = due_date(
            anchor=anchor_date, count=rule.count, unit=rule.unit, counting=rule.counting
        )
        yield rule, anchor_date, label


@transaction.atomic
def statutory_clocks_generate(*, complaint: Complaint, by, owner=None) -> list[Deadline]:
    """Create the s30 and s31 clocks for each organisation a public interest report binds.

    Idempotent: clocks that exist are left as they are. Clocks whose anchor date is not yet
    known (no date received) are created once it is recorded.
    """
    if not complaint.is_public_interest_report:
        return []
    existing = set(
        complaint.deadlines.filter(kind__in=DeadlineKind.statutory()).values_list(
            "organisation_id", "kind"
        )
    )
    created = []
    for organisation in complaint.organisations.all():
        for rule, anchor_date, label in _statutory_clock_dates(complaint):
            if (organisation.pk, rule.kind) in existing:
                continue
            clock = Deadline(
                complaint=complaint,
                organisation=organisation,
                kind=rule.kind,
                title=DeadlineKind(rule.kind).label,
                owner=owner,
            )
            deadline_apply_rule(
                clock,
                counting=rule.counting,
                count=rule.count,
                unit=rule.unit,
                anchor=Anchor.OTHER_DATE,
                anchor_date=anchor_date,
                anchor_label=label,
            )
            save_with_history(
                clock, by=by, reason="Statutory clock created for a public interest report"
            )
            created.append(clock)
    return created


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
ANCHOR_FIELDS = {Anchor.REPORT_DATE: "report_date", Anchor.RECEIVED_DATE: "received_date"}
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


def _listed(items) -> str:
    return get_text_list([str(item) for item in items], "and")


def _counted(count: int, singular: str) -> str:
    return f"{count} {singular}{'' if count == 1 else 's'}"


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
    return [_counted(count, singular) for count, singular in counts if count]


def _shared_facts_refusal(user, changed, bound, chosen=()) -> str:
    """Why ``user`` may not change the ``changed`` shared facts of a complaint binding
    ``bound`` (and, for a change of organisations, ``chosen`` afterwards)."""
    labels = _listed(Complaint._meta.get_field(name).verbose_name for name in changed)
    if shared_with := organisations_not_covered(user, bound):
        situation = f"this complaint is shared with {_listed(shared_with)}"
    else:
        situation = f"the change would bind {_listed(organisations_not_covered(user, chosen))}"
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
        f"{organisation} cannot be removed from this complaint: it has {_listed(records)} on it."
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
    statutory_clocks_generate(complaint=complaint, by=by, owner=clock_owner)
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
    stored = _locked(complaint)  # the facts as saved, not as a form may have set them on it
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
    moved = [anchor for anchor, name in ANCHOR_FIELDS.items() if name in changed]
    for deadline in complaint.deadlines.open().filter(anchor__in=moved, override_reason=""):
        deadline_apply_rule(
            deadline,
            counting=deadline.counting,
            count=deadline.count,
            unit=deadline.unit,
            anchor=deadline.anchor,
        )
        save_with_history(deadline, by=by, reason="Recomputed after the complaint's dates changed")
    statutory_clocks_generate(complaint=complaint, by=by)
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
    _locked(complaint)  # so that its organisations cannot change until this is recorded
    if not complaint.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(f"The complaint does not bind {organisation}.")
    if not covers_every_organisation(by, [organisation]):
        raise ValidationError(
            f"You can record recommendations only for {by.organisation}, not {organisation}."
        )
    deadline = Deadline(
        complaint=complaint,
        organisation=organisation,
        kind=DeadlineKind.RECOMMENDATION,
        title=f"{complaint.reference} recommendation {number}",
        owner=owner,
    )
    deadline_apply_rule(deadline, **rule)
    save_with_history(deadline, by=by, reason="Recommendation recorded")
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
    _locked(recommendation.complaint)
    for name, value in fields.items():
        setattr(recommendation, name, value)
    recommendation.full_clean()
    save_with_history(
        recommendation, by=by, reason="Recommendation edited", expected_version=version
    )
    deadline = recommendation.deadline = _locked(recommendation.deadline)
    deadline.owner = owner if owner is not None else deadline.owner
    deadline.title = f"{recommendation.complaint.reference} recommendation {recommendation.number}"
    if rule is not None:
        deadline_apply_rule(deadline, **rule)
    save_with_history(deadline, by=by, reason="Recommendation edited")
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
) -> Recommendation:
    """Move a recommendation along ``TRANSITIONS``; its deadline is met, not met or reopened.

    Complied needs at least one piece of evidence. ``on`` is the day it happened, which
    decides whether compliance was on time or late. The status is checked on the locked row,
    so two people acting on the same recommendation take turns and the second is refused.
    """
    _brought_up_to_date(recommendation)
    allowed = TRANSITIONS[recommendation.status]
    if to_status not in allowed:
        raise ValidationError(
            f"A recommendation that is {recommendation.get_status_display().lower()} cannot "
            f"become {RecommendationStatus(to_status).label.lower()}."
        )
    if to_status == RecommendationStatus.COMPLIED and not recommendation.evidence.exists():
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
    deadline = recommendation.deadline = _locked(recommendation.deadline)
    deadline.status = DEADLINE_STATUS_FOR[to_status]
    done = deadline.status in (DeadlineStatus.MET, DeadlineStatus.NOT_MET)
    deadline.completed_on = on if done else None
    save_with_history(deadline, by=by, reason=f"Recommendation {label.lower()}")
    return recommendation


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
        kept = upload_for_keeping(
            file,
            allowed=settings.EVIDENCE_ALLOWED_EXTENSIONS,
            max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES,
            field="file",
        )
        evidence.sha256 = upload_sha256(kept)
        evidence.file = kept
    evidence.full_clean()
    save_with_history(evidence, by=by, reason="Evidence added")
    return evidence


def _extension_validate(deadline: Deadline, new_due_date: date, reason: str):
    if deadline.status != DeadlineStatus.OPEN:
        raise ValidationError("Only an open deadline can be extended.")
    if new_due_date <= deadline.due_date:
        raise ValidationError(
            f"The new date must be after the current due date ({deadline.due_date:%-d %B %Y})."
        )
    if not reason.strip():
        raise ValidationError("Give the reason for the extension.")


@transaction.atomic
def extension_request(
    *, deadline: Deadline, new_due_date: date, reason: str, basis: str, basis_reference="", by, at
) -> Extension:
    """Ask for a later date. The deadline does not move until the extension is agreed.

    Checked against the deadline as saved (locked), not the caller's copy of it: a deadline
    met or extended since is refused.
    """
    deadline = _locked(deadline)
    _extension_validate(deadline, new_due_date, reason)
    extension = Extension(
        deadline=deadline,
        status=ExtensionStatus.REQUESTED,
        previous_due_date=deadline.due_date,
        new_due_date=new_due_date,
        reason=reason,
        basis=basis,
        basis_reference=basis_reference,
        requested_by=by,
        requested_at=at,
    )
    save_with_history(extension, by=by, reason="Extension requested")
    return extension


@transaction.atomic
def extension_decide(*, extension: Extension, agreed: bool, by, at) -> Extension:
    """Agree or refuse a requested extension; agreeing moves the deadline (original kept).

    The extension and its deadline are locked and the status is checked on the saved row: of
    two decisions made from the same page, the second is refused ("already decided").
    """
    _brought_up_to_date(extension)
    if extension.status != ExtensionStatus.REQUESTED:
        raise ValidationError("This extension has already been decided.")
    deadline = extension.deadline = _locked(extension.deadline)
    if agreed:
        _extension_validate(deadline, extension.new_due_date, extension.reason)
        extension.previous_due_date = deadline.due_date
    extension.status = ExtensionStatus.AGREED if agreed else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at = by, at
    save_with_history(
        extension, by=by, reason=f"Extension {extension.get_status_display().lower()}"
    )
    if agreed:
        deadline.due_date = extension.new_due_date
        save_with_history(deadline, by=by, reason=f"Extended to {extension.new_due_date:%-d %B %Y}")
    return extension


@transaction.atomic
def extension_record(
    *, deadline: Deadline, new_due_date: date, reason: str, basis: str, basis_reference="", by, at
) -> Extension:
    """Record an extension that has already been agreed (for example by letter)."""
    extension = extension_request(
        deadline=deadline,
        new_due_date=new_due_date,
        reason=reason,
        basis=basis,
        basis_reference=basis_reference,
        by=by,
        at=at,
    )
    return extension_decide(extension=extension, agreed=True, by=by, at=at)


@transaction.atomic
def deadline_owner_change(*, deadline: Deadline, owner, by, version: int | None = None) -> Deadline:
    """Give a deadline a new owner, an active member of its organisation's staff, or none.

    Saved with history on a fresh, locked copy of the deadline; with ``version`` (the one the
    user saw), ``ConflictError`` if someone saved it since. The recommendation the deadline
    belongs to is saved too (its history says who took over, and its version moves), since
    its edit form carries the owner: a form opened before this change is refused as stale.
    """
    deadline = _locked(deadline)
    if owner is not None and (
        owner.organisation_id != deadline.organisation_id or not owner.is_active
    ):
        raise ValidationError(
            f"Select an owner who works for {deadline.organisation} and can sign in."
        )
    deadline.owner = owner
    reason = f"Owner changed to {owner}" if owner is not None else "Owner removed"
    save_with_history(deadline, by=by, reason=reason, expected_version=version)
    recommendation = Recommendation.objects.select_for_update().filter(deadline=deadline).first()
    if recommendation is not None:
        save_with_history(recommendation, by=by, reason=reason)
    return deadline
