"""The one way a deadline is made, counted, moved, extended, closed or reopened.

Recommendations, audits, reports, the admin and the importers all call these functions, so a
deadline's dates always come from its rule (or an override or extension with its reason) and
every change is in its history. Each function that checks a deadline's state checks it on a
locked, fresh copy of the row: of two people acting from the same page, the second is refused.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ombudsman_tracker.formats import date_text
from ombudsman_tracker.history import brought_up_to_date, locked, save_with_history
from outbox.services import job_record

from .arithmetic import Counting, due_date
from .emails import EXTENSION_REQUEST_EMAIL
from .models import (
    Anchor,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Extension,
    ExtensionStatus,
    StatutoryClockRule,
)

ANCHOR_LABELS = {
    Anchor.REPORT_DATE: "the date of the report",
    Anchor.RECEIVED_DATE: "the date the report was received",
}
# The complaint's field each anchor counts from.
ANCHOR_FIELDS = {Anchor.REPORT_DATE: "report_date", Anchor.RECEIVED_DATE: "received_date"}


def _anchor_date(complaint, anchor: str) -> date | None:
    field = ANCHOR_FIELDS.get(anchor)
    return getattr(complaint, field) if field else None


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
    """Set a deadline's rule and the dates it gives (unsaved). A stated date is stored as given.

    The rule's date becomes the original due date, and any override is dropped (the rule now
    decides). A deadline with an agreed extension keeps the date agreed unless the rule now
    gives a later one (``_dates_from``).
    """
    computed = _rule_count(
        deadline,
        counting=counting,
        count=count,
        unit=unit,
        anchor=anchor,
        anchor_date=anchor_date,
        anchor_label=anchor_label,
        stated_date=stated_date,
    )
    deadline.override_reason = ""
    _dates_from(deadline, computed)


def _rule_count(
    deadline: Deadline,
    *,
    counting: str,
    count: int | None,
    unit: str,
    anchor: str,
    anchor_date: date | None,
    anchor_label: str,
    stated_date: date | None,
) -> date:
    """Set the deadline's rule and the date it gives (``computed_due_date``, None for a stated
    date); return that date, or the stated one. The due dates are left to the caller."""
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
        deadline.anchor_label = f"{anchor_label} ({date_text(anchor_date)})"
        computed = due_date(anchor=anchor_date, count=count, unit=unit, counting=counting)
        deadline.computed_due_date = computed
    return computed


def _agreed_extension_date(deadline: Deadline) -> date | None:
    """The latest date agreed by an extension of the (saved) deadline, or None."""
    if deadline.pk is None:
        return None
    return deadline.extensions.filter(status=ExtensionStatus.AGREED).aggregate(
        latest=Max("new_due_date")
    )["latest"]


def _dates_from(deadline: Deadline, original: date) -> None:
    """Set the deadline's original due date (the rule's date, or the date that overrides it)
    and the date in force: the original, or the date an agreed extension gave if that is
    later. An extension agreed to a date the original has since passed no longer applies (it
    stays recorded): a council is never held to an earlier date than its rule gives."""
    agreed = _agreed_extension_date(deadline)
    deadline.original_due_date = original
    deadline.due_date = max(original, agreed) if agreed else original


def deadline_create(
    *, complaint, organisation, kind: str, title: str, owner, rule: dict, by, reason: str
) -> Deadline:
    """Record a deadline counted by ``rule`` (``deadline_apply_rule``'s arguments)."""
    deadline = Deadline(
        complaint=complaint, organisation=organisation, kind=kind, title=title, owner=owner
    )
    deadline_apply_rule(deadline, **rule)
    save_with_history(deadline, by=by, reason=reason)
    return deadline


@transaction.atomic
def deadline_update(
    *, deadline: Deadline, by, reason: str, owner=None, title: str | None = None, rule=None
) -> Deadline:
    """Change a deadline's owner, title or rule (on a fresh, locked copy of it)."""
    deadline = locked(deadline)
    if owner is not None:
        deadline.owner = owner
    if title is not None:
        deadline.title = title
    if rule is not None:
        deadline_apply_rule(deadline, **rule)
    save_with_history(deadline, by=by, reason=reason)
    return deadline


@transaction.atomic
def deadlines_follow_complaint(*, complaint, changed_fields, by) -> None:
    """Recount the complaint's open deadlines counted from a date that changed (every council
    it binds), then create any statutory clock whose anchor date is now known.

    The rule's date always follows. An overridden date stays as it was, beside the rule's new
    date. After an agreed extension the original due date is the rule's date, so it follows
    the complaint's date; the date in force stays the one agreed, unless the rule now gives a
    later one, which then applies (the extension stays recorded, and the history says so).
    """
    moved = [anchor for anchor, name in ANCHOR_FIELDS.items() if name in changed_fields]
    for deadline in complaint.deadlines.open().filter(anchor__in=moved).select_for_update():
        computed = _rule_count(
            deadline,
            counting=deadline.counting,
            count=deadline.count,
            unit=deadline.unit,
            anchor=deadline.anchor,
            anchor_date=None,
            anchor_label="",
            stated_date=None,
        )
        reason = (
            f"Recomputed after the complaint's dates changed: the rule gives {date_text(computed)}"
        )
        if deadline.override_reason:
            overridden = date_text(deadline.original_due_date)
            reason += f"; the date that overrides it, {overridden}, stands"
        else:
            _dates_from(deadline, computed)
            agreed = _agreed_extension_date(deadline)
            if agreed and agreed < deadline.due_date:
                reason += f", later than the extension agreed to {date_text(agreed)}"
            elif agreed:
                reason += f"; the extension agreed to {date_text(agreed)} stands"
        save_with_history(deadline, by=by, reason=reason)
    statutory_clocks_generate(complaint=complaint, by=by)


@transaction.atomic
def deadline_override(
    *, deadline: Deadline, due_date: date, reason: str, by, version: int | None = None
) -> Deadline:
    """Replace the date a rule gave with another one, with the reason; returns the saved copy.

    The rule and its date stay on the deadline and are shown beside the new one. An agreed
    extension to a later date still applies (``_dates_from``). Setting the rule's own date
    again removes the override: the deadline then follows its rule (and the complaint's dates)
    again. A stated date has no rule to override: the recommendation's edit page corrects it.

    Saved with history on a fresh, locked copy; with ``version`` (the one the user saw),
    ``ConflictError`` if someone saved the deadline since.
    """
    deadline = locked(deadline)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the due date differs from the rule."})
    if deadline.computed_due_date is None:
        raise ValidationError(
            "This due date is the one the Ombudsman stated, not one a rule gives: edit the "
            "recommendation to correct it."
        )
    rule_date = date_text(deadline.computed_due_date)
    if due_date == deadline.computed_due_date:
        deadline.override_reason = ""
        change = f"Due date set back to the rule's date, {rule_date}: {reason}"
    else:
        deadline.override_reason = reason
        change = (
            f"Due date overridden to {date_text(due_date)} (the rule gives {rule_date}): {reason}"
        )
    _dates_from(deadline, due_date)
    save_with_history(deadline, by=by, reason=change, expected_version=version)
    return deadline


def _statutory_clock_dates(complaint):
    """Yield (rule, anchor_date, anchor_label) for each clock, following rules in order.

    A clock that follows another counts from the end of the period allowed for that one (the
    s31(2A)(c) clock from the last day of the s31(2) period), in the words its rule gives.
    """
    due_by_kind: dict[str, date] = {}
    for rule in StatutoryClockRule.objects.all():
        if rule.anchor == Anchor.OTHER_DATE:
            anchor_date = due_by_kind.get(rule.follows)
        else:
            anchor_date = _anchor_date(complaint, rule.anchor)
        if anchor_date is None:
            continue
        due_by_kind[rule.kind] = due_date(
            anchor=anchor_date, count=rule.count, unit=rule.unit, counting=rule.counting
        )
        yield rule, anchor_date, rule.anchor_label


@transaction.atomic
def statutory_clocks_generate(*, complaint, by, owner=None) -> list[Deadline]:
    """Create the s30 and s31 clocks for each organisation a public interest report binds,
    each counted by its ``StatutoryClockRule`` as the rule stands now.

    Idempotent: clocks that exist are left as they are, counted by the rule they were made with
    (which each keeps and shows), so changing a rule never moves a date already given. Clocks
    whose anchor date is not yet known (no date received) are created once it is recorded.
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
            clock = deadline_create(
                complaint=complaint,
                organisation=organisation,
                kind=rule.kind,
                title=DeadlineKind(rule.kind).label,
                owner=owner,
                rule={
                    "counting": rule.counting,
                    "count": rule.count,
                    "unit": rule.unit,
                    "anchor": Anchor.OTHER_DATE,
                    "anchor_date": anchor_date,
                    "anchor_label": label,
                },
                by=by,
                reason="Statutory clock created for a public interest report",
            )
            created.append(clock)
    return created


# --- Closing and reopening ------------------------------------------------------------------


def _open_checked(deadline: Deadline, *, also=()) -> Deadline:
    deadline = locked(deadline)
    if deadline.status != DeadlineStatus.OPEN and deadline.status not in also:
        raise ValidationError(
            f"This deadline is already {deadline.get_status_display().lower()}: reload the page."
        )
    return deadline


@transaction.atomic
def deadline_complete(*, deadline: Deadline, on: date, by, reason: str, met: bool = True):
    """Close an open deadline, or one awaiting the Ombudsman, as met (or not met) on ``on``,
    the day that decides whether it was on time. Returns the saved copy."""
    deadline = _open_checked(deadline, also=(DeadlineStatus.AWAITING,))
    deadline.status = DeadlineStatus.MET if met else DeadlineStatus.NOT_MET
    deadline.completed_on = on
    save_with_history(deadline, by=by, reason=reason)
    return deadline


@transaction.atomic
def deadline_await(*, deadline: Deadline, on: date, by, reason: str) -> Deadline:
    """Mark an open deadline's work done and its evidence sent to the Ombudsman on ``on``,
    awaiting the verdict (``DeadlineStatus.AWAITING``): no longer chased nor ever overdue, not
    yet met. ``on`` is kept as ``completed_on``: the verdict that it is met usually keeps it,
    so on time or late is judged by when the council sent its evidence. Returns the saved copy."""
    deadline = _open_checked(deadline)
    deadline.status, deadline.completed_on = DeadlineStatus.AWAITING, on
    save_with_history(deadline, by=by, reason=reason)
    return deadline


@transaction.atomic
def deadline_withdraw(*, deadline: Deadline, by, reason: str) -> Deadline:
    """Close an open deadline that no longer applies."""
    deadline = _open_checked(deadline)
    deadline.status, deadline.completed_on = DeadlineStatus.WITHDRAWN, None
    save_with_history(deadline, by=by, reason=reason)
    return deadline


@transaction.atomic
def deadline_reopen(*, deadline: Deadline, by, reason: str) -> Deadline:
    """Open a deadline again, its dates as they were. An open one is saved too, so that its
    history says why the work it stands for moved (for example "Recommendation in progress")."""
    deadline = locked(deadline)
    deadline.status, deadline.completed_on = DeadlineStatus.OPEN, None
    save_with_history(deadline, by=by, reason=reason)
    return deadline


# --- Extensions -----------------------------------------------------------------------------


def _extension_validate(deadline: Deadline, new_due_date: date, reason: str):
    if deadline.status != DeadlineStatus.OPEN:
        raise ValidationError("Only an open deadline can be extended.")
    if new_due_date <= deadline.due_date:
        raise ValidationError(
            f"The new date must be after the current due date ({date_text(deadline.due_date)})."
        )
    if not reason.strip():
        raise ValidationError("Give the reason for the extension.")


@transaction.atomic
def extension_request(
    *, deadline: Deadline, new_due_date: date, reason: str, basis: str, basis_reference="", by, at
) -> Extension:
    """Ask for a later date. The deadline does not move until the extension is agreed.

    Checked against the deadline as saved (locked), not the caller's copy of it: a deadline
    met or extended since is refused. Queues an email to the managers of the deadline's
    organisation (``emails.extension_request_send``, through the outbox) once this commits.
    """
    extension = _extension_ask(
        deadline=deadline,
        new_due_date=new_due_date,
        reason=reason,
        basis=basis,
        basis_reference=basis_reference,
        by=by,
        at=at,
    )
    job_record(kind=EXTENSION_REQUEST_EMAIL, object_id=extension.pk, at=at)
    return extension


def _extension_ask(
    *, deadline: Deadline, new_due_date: date, reason: str, basis: str, basis_reference, by, at
) -> Extension:
    deadline = locked(deadline)
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
    brought_up_to_date(extension)
    if extension.status != ExtensionStatus.REQUESTED:
        raise ValidationError("This extension has already been decided.")
    deadline = extension.deadline = locked(extension.deadline)
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
        save_with_history(
            deadline, by=by, reason=f"Extended to {date_text(extension.new_due_date)}"
        )
    return extension


@transaction.atomic
def extension_record(
    *, deadline: Deadline, new_due_date: date, reason: str, basis: str, basis_reference="", by, at
) -> Extension:
    """Record an extension that has already been agreed (for example by letter). Nobody is
    asked to decide it, so nobody is emailed."""
    extension = _extension_ask(
        deadline=deadline,
        new_due_date=new_due_date,
        reason=reason,
        basis=basis,
        basis_reference=basis_reference,
        by=by,
        at=at,
    )
    return extension_decide(extension=extension, agreed=True, by=by, at=at)


# --- Owners ---------------------------------------------------------------------------------


def _holders(deadline: Deadline):
    """The records a deadline belongs to (a recommendation, an audit programme, a concern),
    found through their one-to-one links to it, so this app imports none of them."""
    for relation in deadline._meta.related_objects:
        if relation.one_to_one:
            yield from relation.related_model.objects.select_for_update().filter(
                **{relation.field.name: deadline}
            )


@transaction.atomic
def deadline_owner_change(*, deadline: Deadline, owner, by, version: int | None = None) -> Deadline:
    """Give a deadline a new owner, an active member of its organisation's staff, or none.

    Saved with history on a fresh, locked copy of the deadline; with ``version`` (the one the
    user saw), ``ConflictError`` if someone saved it since. The record the deadline belongs to
    is saved too (its history says who took over, and its version moves), since its edit form
    may carry the owner: a form opened before this change is refused as stale.
    """
    deadline = locked(deadline)
    if owner is not None and (
        owner.organisation_id != deadline.organisation_id or not owner.is_active
    ):
        raise ValidationError(
            f"Select an owner who works for {deadline.organisation} and can sign in."
        )
    deadline.owner = owner
    reason = f"Owner changed to {owner}" if owner is not None else "Owner removed"
    save_with_history(deadline, by=by, reason=reason, expected_version=version)
    for holder in _holders(deadline):
        save_with_history(holder, by=by, reason=reason)
    return deadline
