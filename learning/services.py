"""Every change to the learning programme that carries a rule.

Views, the admin and the demo data call these functions. Each saves through
``save_with_history``, so the change, who made it and why are in the record's history; edits
that start from a form carry the ``version`` the user saw (``ConflictError`` if someone else
saved first). Imports are all or nothing: ``ListImportError`` lists every problem by row and
nothing is written. Emails are recorded as ``LinkEmail`` rows and sent by the outbox once the
transaction commits (``learning.jobs``); their unique constraints mean a double click or a
retried job never sends a second.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from deadlines.arithmetic import months_within
from ombudsman_tracker.csv_import import RowError
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.history import ConflictError as ConflictError  # for callers
from ombudsman_tracker.history import (
    conflict_on_duplicate,
    is_unique_violation,
    locked,
    save_with_history,
)
from ombudsman_tracker.uploads import evidence_for_keeping, upload_check
from outbox.services import job_record
from plans import services as plans

from . import selectors
from .csv_lists import ListImportError as ListImportError  # for callers
from .csv_lists import attendance_list_read, audience_list_read
from .emails import LINK_EMAIL_JOB
from .links import link_token_read
from .models import (
    Acknowledgement,
    AcknowledgementHow,
    Audience,
    CheckKind,
    CheckResult,
    DeliverySession,
    FollowUpCheck,
    LearningAttachment,
    LearningPoint,
    LearningPointVersion,
    LinkEmail,
    LinkEmailKind,
    Person,
    PersonalLink,
)

LIST_MAX_BYTES = 2 * 1024 * 1024  # a list of a few thousand staff is far smaller


def list_file_check(file):
    """A list must be a CSV file by its content (``upload_check``), or ``ValidationError``."""
    return upload_check(file, allowed=["csv"], max_bytes=LIST_MAX_BYTES)


def _same_organisation(audiences, organisation) -> None:
    others = [audience for audience in audiences if audience.organisation_id != organisation.pk]
    if others:
        raise ValidationError(
            {"audiences": f"These audiences are not {organisation}'s: {others[0]}"}
        )


# --- Audiences and people -------------------------------------------------------------------


@transaction.atomic
def audience_create(*, organisation, name: str, by, at: datetime, agency: str = "") -> Audience:
    """Record a team or role the learning must reach. A name the organisation already has
    (in any case) is a ``ValidationError``."""
    name = name.strip()
    if Audience.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": f"{organisation} already has an audience called {name}"})
    audience = Audience(organisation=organisation, name=name, agency=agency.strip(), created_at=at)
    audience.full_clean(validate_constraints=False)
    with conflict_on_duplicate(audience):
        save_with_history(audience, by=by, reason="Audience recorded")
    return audience


@dataclass(frozen=True)
class AudienceImport:
    rows: int  # people in the list, once each
    people_added: int
    people_updated: int  # a new name, a new team, or back after leaving
    audiences_created: list[str]


def _users_by_email(organisation) -> dict[str, User]:
    """The organisation's active users by lower-case email, for linking people to them."""
    users = User.objects.filter(organisation=organisation, is_active=True).exclude(email="")
    return {user.email.lower(): user for user in users}


@transaction.atomic
def audience_list_import(*, organisation, file, by, at: datetime) -> AudienceImport:
    """Add the people of an audience list (name, work email, team or agency) to the
    organisation's audiences. All or nothing: ``ListImportError`` with every problem found,
    and nothing is written.

    A list adds; it never removes anyone (record leavers on their page). A person is known by
    their work email: a new name replaces the old, their teams are added to those they had,
    and someone who had left is back from today. A team the organisation has no audience for
    is created. A person whose work email is an active user's of the organisation is linked to
    that user, who then acknowledges in the app as well.
    """
    list_file_check(file)
    listed = audience_list_read(file)
    today = timezone.localdate(at)
    # Locked, so that two imports of overlapping lists take turns.
    held = {
        person.email: person
        for person in Person.objects.select_for_update().filter(
            organisation=organisation, email__in=[entry.email for entry in listed]
        )
    }
    audiences = {
        audience.name.lower(): audience
        for audience in Audience.objects.filter(organisation=organisation)
    }
    linked = set(
        Person.objects.filter(organisation=organisation, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    users = _users_by_email(organisation)
    created_audiences, added, updated = [], 0, 0
    for entry in listed:
        teams = []
        for team in entry.teams:
            audience = audiences.get(team.lower())
            if audience is None:
                audience = audience_create(organisation=organisation, name=team, by=by, at=at)
                audiences[team.lower()] = audience
                created_audiences.append(audience.name)
            teams.append(audience)
        person = held.get(entry.email)
        user = users.get(entry.email)
        link = user if user is not None and user.pk not in linked else None
        if person is None:
            person = Person(
                organisation=organisation, name=entry.name, email=entry.email, added_on=today
            )
            if link:
                person.user, _ = link, linked.add(link.pk)
            save_with_history(person, by=by, reason="Added from an audience list")
            person.audiences.add(*teams)
            added += 1
            continue
        changes = []
        if person.name != entry.name:
            person.name = entry.name
            changes.append("name")
        if person.left_on is not None:
            person.left_on, person.added_on = None, today
            changes.append("back after leaving")
        if person.user_id is None and link:
            person.user = link
            linked.add(link.pk)
            changes.append("linked to their user")
        if changes:
            save_with_history(
                person, by=by, reason=f"Audience list: {', '.join(changes)}", expected_version=None
            )
        new_teams = set(teams) - set(person.audiences.all())
        if new_teams:
            person.audiences.add(*new_teams)
        if changes or new_teams:
            updated += 1
    return AudienceImport(
        rows=len(listed),
        people_added=added,
        people_updated=updated,
        audiences_created=created_audiences,
    )


@transaction.atomic
def person_leave(*, person: Person, left_on: date, version: int, by) -> Person:
    """Record that a person has left: from ``left_on`` they are out of every coverage figure,
    and no link or reminder is sent to them."""
    person.left_on = left_on
    person.full_clean(validate_constraints=False)
    if left_on < person.added_on:
        raise ValidationError(
            {
                "left_on": f"Enter a date on or after {date_text(person.added_on)}, when they "
                "were added"
            }
        )
    save_with_history(person, by=by, reason="Left", expected_version=version)
    return person


# --- Learning points and their versions -----------------------------------------------------


def _version_publish(point: LearningPoint, *, text: str, change_note: str, by, at) -> None:
    number = (point.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    published = LearningPointVersion(
        learning_point=point,
        number=number,
        text=text.strip(),
        change_note=change_note.strip(),
        published_at=at,
        published_by=by,
    )
    published.full_clean(validate_constraints=False)
    save_with_history(published, by=by, reason=f"Version {number} published")
    point.current_version = published
    save_with_history(point, by=by, reason=f"Version {number} published")


@transaction.atomic
def learning_point_create(
    *, recommendation, title: str, text: str, audiences, by, at: datetime
) -> LearningPoint:
    """Record a learning point of ``recommendation`` and publish its first version."""
    if not by.acts_for(recommendation.organisation):
        raise ValidationError(f"You can record learning only for {by.organisation}.")
    audiences = list(audiences)
    _same_organisation(audiences, recommendation.organisation)
    point = LearningPoint(recommendation=recommendation, title=title.strip(), created_at=at)
    point.full_clean(exclude=["current_version"])
    save_with_history(point, by=by, reason="Learning point recorded")
    point.audiences.set(audiences)
    _version_publish(point, text=text, change_note="", by=by, at=at)
    return point


@transaction.atomic
def learning_point_update(
    *, learning_point: LearningPoint, version: int, title: str, audiences, by
) -> LearningPoint:
    """Change a learning point's title or audiences (not its text: publish a new version)."""
    audiences = list(audiences)
    _same_organisation(audiences, learning_point.recommendation.organisation)
    learning_point.title = title.strip()
    learning_point.full_clean(exclude=["current_version"])
    save_with_history(
        learning_point, by=by, reason="Learning point edited", expected_version=version
    )
    learning_point.audiences.set(audiences)
    return learning_point


@transaction.atomic
def learning_point_publish(
    *, learning_point: LearningPoint, version: int, text: str, change_note: str, by, at
) -> LearningPointVersion:
    """Publish a new version of the text. Everyone must acknowledge it again: coverage is of
    the current version, and links to the earlier one no longer acknowledge anything.

    ``version`` is the point's version the user saw (``ConflictError`` if it moved); the text
    must differ from the current one, and say what changed.
    """
    stored = locked(learning_point)
    if stored.version != version:
        raise ConflictError(learning_point)
    current = stored.current_version
    errors = {}
    if current is not None and text.strip() == current.text:
        errors["text"] = f"Change the text: it is the same as version {current.number}"
    if not change_note.strip():
        errors["change_note"] = "Enter what changed"
    if errors:
        raise ValidationError(errors)
    _version_publish(stored, text=text, change_note=change_note, by=by, at=at)
    learning_point.current_version, learning_point.version = (
        stored.current_version,
        stored.version,
    )
    return stored.current_version


@transaction.atomic
def attachment_add(
    *, learning_point: LearningPoint, description: str, file, by, at: datetime
) -> LearningAttachment:
    """Attach a file, checked and checksummed as evidence is (``evidence_for_keeping``)."""
    attachment = LearningAttachment(
        learning_point=learning_point, description=description.strip(), added_by=by, added_at=at
    )
    attachment.file, attachment.sha256 = evidence_for_keeping(file, field="file")
    attachment.full_clean()
    save_with_history(attachment, by=by, reason="Attachment added")
    return attachment


# --- Sessions and attendance ----------------------------------------------------------------


@transaction.atomic
def session_record(
    *,
    learning_point: LearningPoint,
    held_on: date,
    format: str,
    facilitator: str,
    audiences=(),
    notes: str = "",
    by,
    at: datetime,
) -> DeliverySession:
    """Record a session that delivered the point's current version."""
    stored = locked(learning_point)
    audiences = list(audiences)
    _same_organisation(audiences, learning_point.recommendation.organisation)
    session = DeliverySession(
        learning_point=stored,
        delivered_version=stored.current_version,
        held_on=held_on,
        format=format,
        facilitator=facilitator.strip(),
        notes=notes.strip(),
        created_by=by,
        created_at=at,
    )
    session.full_clean()
    save_with_history(session, by=by, reason="Session recorded")
    session.audiences.set(audiences)
    return session


@dataclass(frozen=True)
class AttendanceImport:
    rows: int
    attendees_added: int
    already_attending: int
    acknowledged: int  # attendees whose attendance now counts as acknowledging


def _acknowledgement_record(
    *, person, learning_version, how, at, by=None, session=None
) -> tuple[Acknowledgement, bool]:
    """The person's acknowledgement of the version: made now, or the one they already have
    (the database keeps it to one, whoever gets there first)."""
    held = Acknowledgement.objects.filter(person=person, learning_version=learning_version)
    if existing := held.first():
        return existing, False
    acknowledgement = Acknowledgement(
        person=person,
        learning_version=learning_version,
        how=how,
        at=at,
        session=session,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            save_with_history(
                acknowledgement, by=by, reason=f"Acknowledged: {AcknowledgementHow(how).label}"
            )
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        return held.get(), False
    return acknowledgement, True


@transaction.atomic
def attendance_import(*, session: DeliverySession, file, by, at: datetime) -> AttendanceImport:
    """Add the attendees of a session from its attendance list (work email, maybe a name).
    All or nothing: ``ListImportError`` with every problem, and nothing is written.

    Every attendee must be on the organisation's audience lists, and not have left before the
    session. Attending counts as acknowledging the version the session delivered (see
    ``learning.selectors``): an attendee who had not acknowledged it is recorded as having done
    so by attending.
    """
    organisation = session.learning_point.recommendation.organisation
    if session.held_on > timezone.localdate(at):
        raise ListImportError(
            [
                RowError(
                    None,
                    "",
                    f"The session is on {date_text(session.held_on)}: import its attendance "
                    "once it has been held.",
                )
            ]
        )
    list_file_check(file)
    listed = attendance_list_read(file)
    people = {
        person.email: person
        for person in Person.objects.filter(
            organisation=organisation, email__in=[email for _, email, _ in listed]
        )
    }
    errors = []
    for number, email, name in listed:
        person = people.get(email)
        if person is None:
            who = f"{name} ({email})" if name else email
            errors.append(
                RowError(
                    number,
                    "work_email",
                    f"{who} is not on {organisation}'s audience lists: import them in an "
                    "audience list first, or correct the address.",
                )
            )
        elif person.left_on is not None and person.left_on < session.held_on:
            errors.append(
                RowError(
                    number,
                    "work_email",
                    f"{person.name} left on {date_text(person.left_on)}, before the session.",
                )
            )
    if errors:
        raise ListImportError(errors)
    session = locked(session)
    attending = set(session.attendees.values_list("pk", flat=True))
    new = [people[email] for _, email, _ in listed if people[email].pk not in attending]
    if new:
        session.attendees.add(*new)
        save_with_history(session, by=by, reason=f"Attendance imported: {len(new)} added")
    acknowledged = 0
    for person in (people[email] for _, email, _ in listed):
        _, made = _acknowledgement_record(
            person=person,
            learning_version=session.delivered_version,
            how=AcknowledgementHow.SESSION,
            at=at,
            by=by,
            session=session,
        )
        acknowledged += made
    return AttendanceImport(
        rows=len(listed),
        attendees_added=len(new),
        already_attending=len(listed) - len(new),
        acknowledged=acknowledged,
    )


# --- Acknowledging --------------------------------------------------------------------------


class LinkStatus(enum.Enum):
    OPEN = "open"  # may be used now
    ACKNOWLEDGED = "acknowledged"  # used now, by this request
    ALREADY = "already"  # used before, or the person acknowledged another way
    SUPERSEDED = "superseded"  # a newer version has been published since
    EXPIRED = "expired"
    INVALID = "invalid"  # not a token of ours: tampered, cut short, or made up


@dataclass(frozen=True)
class LinkState:
    status: LinkStatus
    link: PersonalLink | None = None
    acknowledgement: Acknowledgement | None = None

    @property
    def learning_version(self):
        return self.link.learning_version if self.link else None


def personal_link_open(*, token: str, at: datetime) -> LinkState:
    """What a personal link's token allows at ``at``, changing nothing (for showing its page).

    A used link says so whatever its age; a link to a version no longer current, or past its
    expiry, acknowledges nothing.
    """
    read = link_token_read(token)
    if read is None:
        return LinkState(LinkStatus.INVALID)
    link = (
        PersonalLink.objects.select_related("person", "learning_version__learning_point")
        .filter(pk=read.link_id)
        .first()
    )
    if link is None:
        return LinkState(LinkStatus.INVALID)
    acknowledgement = Acknowledgement.objects.filter(
        person=link.person_id, learning_version=link.learning_version_id
    ).first()
    if link.used_at is not None or acknowledgement is not None:
        return LinkState(LinkStatus.ALREADY, link, acknowledgement)
    if link.learning_version.learning_point.current_version_id != link.learning_version_id:
        return LinkState(LinkStatus.SUPERSEDED, link)
    if at > read.expires_at:
        return LinkState(LinkStatus.EXPIRED, link)
    return LinkState(LinkStatus.OPEN, link)


@transaction.atomic
def personal_link_acknowledge(*, token: str, at: datetime) -> LinkState:
    """Acknowledge through a personal link: once. The link is claimed by a compare-and-set on
    its ``used_at``, so of two clicks at once one acknowledges and the other is told it was
    already done. Returns the state: ``ACKNOWLEDGED`` if this call did it."""
    state = personal_link_open(token=token, at=at)
    if state.status is not LinkStatus.OPEN:
        return state
    link = state.link
    claimed = PersonalLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=at)
    acknowledgement, made = _acknowledgement_record(
        person=link.person,
        learning_version=link.learning_version,
        how=AcknowledgementHow.LINK,
        at=at,
    )
    if not claimed or not made:
        return LinkState(LinkStatus.ALREADY, link, acknowledgement)
    return LinkState(LinkStatus.ACKNOWLEDGED, link, acknowledgement)


def app_acknowledgement_refusal(*, learning_point, user, at: datetime) -> str:
    """Why ``user`` cannot acknowledge ``learning_point`` in the app, or "" if they can."""
    person = selectors.person_for_user(user, learning_point.recommendation.organisation_id)
    if person is None:
        return (
            "You are not on the audience lists for this learning, so there is nothing for you "
            "to acknowledge. Ask whoever runs the learning to add you."
        )
    if person.left_on is not None and person.left_on <= timezone.localdate(at):
        return f"You are recorded as having left on {date_text(person.left_on)}."
    return ""


@transaction.atomic
def app_acknowledge(*, learning_point, user, at: datetime) -> tuple[Acknowledgement, bool]:
    """A user of the app acknowledges the current version, as the person linked to them.
    Returns the acknowledgement and whether this call made it (once per person per version).
    ``ValidationError`` if they are not on the audience lists (``app_acknowledgement_refusal``).
    """
    if refusal := app_acknowledgement_refusal(learning_point=learning_point, user=user, at=at):
        raise ValidationError(refusal)
    person = selectors.person_for_user(user, learning_point.recommendation.organisation_id)
    return _acknowledgement_record(
        person=person,
        learning_version=learning_point.current_version,
        how=AcknowledgementHow.APP,
        at=at,
        by=user,
    )


# --- Emailing the links ---------------------------------------------------------------------


@dataclass(frozen=True)
class LinksSent:
    queued: int  # emails recorded, sent once the request commits
    skipped: int  # outstanding people already emailed (today, or ever for an invitation)


@transaction.atomic
def links_send(*, learning_point: LearningPoint, kind: str, by, at: datetime) -> LinksSent:
    """Email each person who has not acknowledged the current version their personal link:
    ``LinkEmailKind.INVITATION`` to those never sent it; ``REMINDER`` (the same link, with a
    reminder's words) to those sent it before today and not reminded today.

    The point is locked while this runs, and each email is a ``LinkEmail`` under unique
    constraints, so a double click sends nobody a second. Each is sent by the outbox after
    the commit (``learning.jobs``).
    """
    stored = locked(learning_point)
    version = stored.current_version
    today = timezone.localdate(at)
    outstanding = list(selectors.people_outstanding(learning_point=stored, at=at))
    links = {
        link.person_id: link
        for link in PersonalLink.objects.filter(
            learning_version=version, person__in=[person.pk for person in outstanding]
        )
    }
    emailed = {}
    for link_id, email_kind, on in LinkEmail.objects.filter(
        link__in=[link.pk for link in links.values()]
    ).values_list("link_id", "kind", "on"):
        emailed.setdefault(link_id, []).append((email_kind, on))
    queued = skipped = 0
    for person in outstanding:
        link = links.get(person.pk)
        sent = emailed.get(link.pk, []) if link else []
        invited = [on for email_kind, on in sent if email_kind == LinkEmailKind.INVITATION]
        if kind == LinkEmailKind.INVITATION:
            due = not invited
        else:
            due = bool(invited) and all(on < today for _, on in sent)
        if not due:
            skipped += 1
            continue
        if link is None:
            link = PersonalLink.objects.create(
                person=person, learning_version=version, created_at=at
            )
        email = LinkEmail.objects.create(
            link=link, kind=kind, on=today, requested_by=by, requested_at=at
        )
        job_record(kind=LINK_EMAIL_JOB, object_id=email.pk, at=at)
        queued += 1
    return LinksSent(queued=queued, skipped=skipped)


def link_email_claim(*, email_id: int, at: datetime) -> LinkEmail | None:
    """Claim an email for sending (compare-and-set on ``sent_at``): the email, or None if it
    was sent already, has gone, or is no longer needed (acknowledged meanwhile, a newer
    version published, the person left). ``link_email_release`` undoes a claim whose send
    failed, so that the retry sends it."""
    email = (
        LinkEmail.objects.select_related("link__person", "link__learning_version__learning_point")
        .filter(pk=email_id, sent_at__isnull=True)
        .first()
    )
    if email is None:
        return None
    link = email.link
    person, version = link.person, link.learning_version
    needed = (
        link.used_at is None
        and version.learning_point.current_version_id == version.pk
        and (person.left_on is None or person.left_on > timezone.localdate(at))
        and not Acknowledgement.objects.filter(person=person, learning_version=version).exists()
    )
    if not needed:
        return None
    claimed = LinkEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(sent_at=at)
    return email if claimed else None


def link_email_release(*, email_id: int) -> None:
    LinkEmail.objects.filter(pk=email_id).update(sent_at=None)


# --- Follow-up checks -----------------------------------------------------------------------


@transaction.atomic
def follow_up_schedule(
    *,
    learning_point: LearningPoint,
    kind: str,
    delivered_on: date,
    interval_months: int,
    by,
    audit_programme=None,
) -> FollowUpCheck:
    """Schedule a re-audit or knowledge check within ``interval_months`` of ``delivered_on``
    (clipped to the month's end, as "within N months of" counts), owned by ``by``. Its date is
    a milestone added to the recommendation's action plan (``plans.services.milestone_add``),
    so the plan's timeline shows whether the learning stuck. A re-audit may name the audit
    programme that does it, which must be the same organisation's."""
    recommendation = learning_point.recommendation
    organisation = recommendation.organisation
    if (
        audit_programme is not None
        and audit_programme.recommendation.organisation_id != organisation.pk
    ):
        raise ValidationError({"audit_programme": f"Choose an audit of {organisation}"})
    check = FollowUpCheck(
        learning_point=learning_point,
        kind=kind,
        delivered_on=delivered_on,
        interval_months=interval_months,
        audit_programme=audit_programme,
    )
    check.full_clean(exclude=["milestone"])
    check.milestone = plans.milestone_add(
        recommendation=recommendation,
        title=f"{CheckKind(kind).label} of the learning: {learning_point.title}"[:200],
        planned_date=months_within(delivered_on, interval_months),
        owner=by,
        by=by,
        reason=(
            f"Follow-up check, within {interval_months} months of the delivery of the learning "
            f"on {date_text(delivered_on)}"
        ),
    )
    save_with_history(check, by=by, reason="Follow-up check scheduled")
    return check


@transaction.atomic
def follow_up_result_record(
    *, check: FollowUpCheck, result: str, notes: str, on: date, version: int, by
) -> FollowUpCheck:
    """Record what the check found, on ``on``; its milestone is done that day (its deadline
    met, on time or late)."""
    stored = locked(check)
    if stored.result:
        raise ValidationError("The result of this check has already been recorded.")
    check.result, check.result_notes = result, notes.strip()
    check.result_recorded_by, check.result_recorded_on = by, on
    check.full_clean()
    save_with_history(
        check, by=by, reason="Follow-up check result recorded", expected_version=version
    )
    check.milestone = plans.milestone_complete(
        milestone=check.milestone,
        on=on,
        by=by,
        reason=f"Follow-up check of the learning done: {CheckResult(result).label.lower()}",
    )
    return check
