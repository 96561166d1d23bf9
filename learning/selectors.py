"""Reads scoped to the user, and the coverage of learning points.

A learning point belongs to its recommendation's organisation; audiences and people belong to
an organisation. Staff see their own organisation's; those who see every organisation see all.
Lookups by id 404 for anything else.

Coverage (``coverage``, ``coverage_by_learning_point``, ``coverage_by_recommendation``) is of
the point's current version, at a moment ``at``, and runs a fixed number of queries whatever
the number of points, audiences or people. Its rules:

- **Who counts** (the denominator): the people in the point's audiences who are in post at
  ``at``: added on or before that day, and not left (``left_on`` empty or after that day).
  A leaver is out of every figure, numerator too, whether they left before the version was
  published or since, and whether or not they acknowledged first: the figures are about the
  staff there now. A person in several audiences counts once in the overall figure and once
  in each of their audiences.
- **Acknowledged** (the numerator): has an acknowledgement of the current version made at or
  before ``at``: through their personal link, in the app, or by attending a session that
  delivered that version. **Attending counts as acknowledging**: the session delivered the
  version, and its attendance list is the record that they received it (``services``
  records an acknowledgement "attended a session" for each attendee). Attendance is also shown
  on its own (``attended``).
- **Added after delivery**: people added after the day the current version was published. They
  are counted (they still need to acknowledge) and flagged, so a falling figure can be read.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from django.db.models import Exists, F, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ombudsman_tracker.formats import percent
from recommendations.selectors import recommendations_visible_to

from .models import (
    Acknowledgement,
    Audience,
    DeliverySession,
    FollowUpCheck,
    LearningAttachment,
    LearningPoint,
    Person,
)

# --- What a user may see --------------------------------------------------------------------


def learning_points_visible_to(user):
    return LearningPoint.objects.filter(
        recommendation__in=recommendations_visible_to(user).values("pk")
    ).select_related(
        "current_version",
        "recommendation__complaint",
        "recommendation__organisation",
    )


def _of_organisation(queryset, user, path="organisation"):
    if user.sees_every_organisation:
        return queryset
    return queryset.filter(**{path: user.organisation_id})


def audiences_visible_to(user):
    return _of_organisation(Audience.objects.all(), user)


def people_visible_to(user):
    return _of_organisation(Person.objects.all(), user)


def learning_point_get_for(user, pk) -> LearningPoint:
    return get_object_or_404(learning_points_visible_to(user), pk=pk)


def attachment_get_for(user, pk) -> LearningAttachment:
    return get_object_or_404(
        LearningAttachment.objects.select_related("learning_point__recommendation").filter(
            learning_point__in=learning_points_visible_to(user).values("pk")
        ),
        pk=pk,
    )


def session_get_for(user, pk) -> DeliverySession:
    return get_object_or_404(
        DeliverySession.objects.select_related(
            "learning_point__recommendation__complaint", "delivered_version", "created_by"
        ).filter(learning_point__in=learning_points_visible_to(user).values("pk")),
        pk=pk,
    )


def audience_get_for(user, pk) -> Audience:
    return get_object_or_404(audiences_visible_to(user), pk=pk)


def person_get_for(user, pk) -> Person:
    return get_object_or_404(people_visible_to(user), pk=pk)


def follow_up_get_for(user, pk) -> FollowUpCheck:
    return get_object_or_404(
        FollowUpCheck.objects.select_related(
            "learning_point__recommendation__complaint", "milestone__deadline", "audit_programme"
        ).filter(learning_point__in=learning_points_visible_to(user).values("pk")),
        pk=pk,
    )


def recommendation_learning_points(user, recommendation):
    """The learning points of a recommendation the user may see, oldest first."""
    if not user.has_perm("learning.view_learningpoint"):
        return LearningPoint.objects.none()
    return learning_points_visible_to(user).filter(recommendation=recommendation).order_by("pk")


def person_for_user(user, organisation_id) -> Person | None:
    """The person a signed-in user is on the audience lists of ``organisation_id``, if any."""
    return Person.objects.filter(user=user.pk, organisation=organisation_id).first()


# What a share shows with nobody to reach: no rate, not 0%.
NO_ONE = "\N{EN DASH}"

# --- Coverage -------------------------------------------------------------------------------


def _day(at: datetime | date) -> date:
    return timezone.localdate(at) if isinstance(at, datetime) else at


@dataclass(frozen=True)
class Figures:
    """Counts of distinct people for one audience, or for all of a point's audiences."""

    people: int  # in post at the moment: the denominator
    acknowledged: int  # of those, acknowledged the current version (attending included)
    attended: int  # of those, attended a session that delivered the current version
    added_after_delivery: int  # of those, added after the current version was published
    leavers: int  # left on or before the moment: not in any other figure

    @property
    def outstanding(self) -> int:
        return self.people - self.acknowledged

    @property
    def share(self) -> Fraction | None:
        """Acknowledged over people; None when there is nobody to reach (no rate, not 0%)."""
        return Fraction(self.acknowledged, self.people) if self.people else None

    @property
    def percent(self) -> str:
        """``87%`` (``ombudsman_tracker.formats.percent``), or a dash with nobody to reach."""
        return percent(self.share, missing=NO_ONE)

    @property
    def attended_percent(self) -> str:
        share = Fraction(self.attended, self.people) if self.people else None
        return percent(share, missing=NO_ONE)


@dataclass(frozen=True)
class AudienceCoverage:
    audience: Audience
    figures: Figures


@dataclass(frozen=True)
class Coverage:
    """How far a learning point's current version has reached, at ``at``."""

    learning_point: LearningPoint
    at: datetime | date
    overall: Figures
    audiences: list[AudienceCoverage] = field(default_factory=list)

    @property
    def version(self):
        return self.learning_point.current_version

    @property
    def text(self) -> str:
        """``87% of 120 people acknowledged version 2``, for the dashboard and report."""
        version = self.version.number if self.version else NO_ONE
        return (
            f"{self.overall.percent} of {self.overall.people} "
            f"{'person' if self.overall.people == 1 else 'people'} acknowledged version {version}"
        )


def _figures(members: set[int], acknowledged, attended, added_late, leavers) -> Figures:
    return Figures(
        people=len(members),
        acknowledged=len(members & acknowledged),
        attended=len(members & attended),
        added_after_delivery=len(members & added_late),
        leavers=len(leavers),
    )


def coverage_by_learning_point(*, learning_points, at: datetime | date) -> dict[int, Coverage]:
    """``Coverage`` of each of ``learning_points`` (a queryset or a list; their
    ``current_version`` is read, so select it), keyed by the point's id, in five queries
    whatever their number. The module's docstring gives the rules."""
    points = list(learning_points)
    if not points:
        return {}
    day = _day(at)
    moment = at if isinstance(at, datetime) else None
    point_ids = [point.pk for point in points]
    version_ids = [point.current_version_id for point in points if point.current_version_id]
    # Each point's audiences, with the audience (for its name).
    point_audiences: dict[int, list[Audience]] = defaultdict(list)
    for row in (
        LearningPoint.audiences.through.objects.filter(learningpoint_id__in=point_ids)
        .select_related("audience")
        .order_by("audience__name", "audience_id")
    ):
        point_audiences[row.learningpoint_id].append(row.audience)
    audience_ids = {audience.pk for audiences in point_audiences.values() for audience in audiences}
    # Who is in each audience, with the dates that decide whether they count.
    members: dict[int, set[int]] = defaultdict(set)
    leavers: dict[int, set[int]] = defaultdict(set)
    added_on: dict[int, date] = {}
    for person_id, audience_id, added, left in Person.audiences.through.objects.filter(
        audience_id__in=audience_ids, person__added_on__lte=day
    ).values_list("person_id", "audience_id", "person__added_on", "person__left_on"):
        if left is not None and left <= day:
            leavers[audience_id].add(person_id)
        else:
            members[audience_id].add(person_id)
            added_on[person_id] = added
    acknowledged: dict[int, set[int]] = defaultdict(set)
    acknowledgements = Acknowledgement.objects.filter(learning_version_id__in=version_ids)
    if moment is not None:
        acknowledgements = acknowledgements.filter(at__lte=moment)
    else:
        acknowledgements = acknowledgements.filter(at__date__lte=day)
    for version_id, person_id in acknowledgements.values_list("learning_version_id", "person_id"):
        acknowledged[version_id].add(person_id)
    attended: dict[int, set[int]] = defaultdict(set)
    for version_id, person_id in DeliverySession.attendees.through.objects.filter(
        deliverysession__delivered_version_id__in=version_ids,
        deliverysession__held_on__lte=day,
    ).values_list("deliverysession__delivered_version_id", "person_id"):
        attended[version_id].add(person_id)

    coverages = {}
    for point in points:
        version = point.current_version
        published = _day(version.published_at) if version else day
        acks = acknowledged[point.current_version_id]
        came = attended[point.current_version_id]
        audiences = point_audiences[point.pk]
        everyone = set().union(*(members[audience.pk] for audience in audiences))
        late = {person for person in everyone if added_on[person] > published}
        gone = set().union(*(leavers[audience.pk] for audience in audiences)) - everyone
        coverages[point.pk] = Coverage(
            learning_point=point,
            at=at,
            overall=_figures(everyone, acks, came, late, gone),
            audiences=[
                AudienceCoverage(
                    audience,
                    _figures(members[audience.pk], acks, came, late, leavers[audience.pk]),
                )
                for audience in audiences
            ],
        )
    return coverages


def coverage(*, learning_point, at: datetime | date) -> Coverage:
    """The ``Coverage`` of one learning point: overall and per audience."""
    return coverage_by_learning_point(learning_points=[learning_point], at=at)[learning_point.pk]


def coverage_by_recommendation(*, recommendations, at: datetime | date) -> dict[int, list]:
    """For the dashboard and the committee report: the ``Coverage`` of every learning point
    of each of ``recommendations`` (ids or records), keyed by recommendation id, oldest point
    first; a recommendation without learning points is left out. Six queries in all."""
    points = (
        LearningPoint.objects.filter(recommendation__in=recommendations)
        .select_related("current_version")
        .order_by("recommendation_id", "pk")
    )
    by_point = coverage_by_learning_point(learning_points=points, at=at)
    grouped: dict[int, list[Coverage]] = defaultdict(list)
    for covered in by_point.values():
        grouped[covered.learning_point.recommendation_id].append(covered)
    return dict(grouped)


# --- Named people, for managers -------------------------------------------------------------


def people_to_reach(*, learning_point, at: datetime | date, audience=None):
    """The people in post at ``at`` in the point's audiences (or in ``audience``), once each,
    by name, annotated ``has_acknowledged`` and ``has_attended`` (the current version)."""
    day = _day(at)
    audiences = learning_point.audiences.all() if audience is None else [audience]
    version_id = learning_point.current_version_id
    acknowledgements = Acknowledgement.objects.filter(
        person=OuterRef("pk"), learning_version_id=version_id
    )
    if isinstance(at, datetime):
        acknowledgements = acknowledgements.filter(at__lte=at)
    else:
        acknowledgements = acknowledgements.filter(at__date__lte=day)
    attended = DeliverySession.attendees.through.objects.filter(
        person=OuterRef("pk"),
        deliverysession__delivered_version_id=version_id,
        deliverysession__held_on__lte=day,
    )
    in_audiences = Person.audiences.through.objects.filter(audience__in=audiences)
    return (
        Person.objects.filter(pk__in=in_audiences.values("person"), added_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .annotate(has_acknowledged=Exists(acknowledgements), has_attended=Exists(attended))
        .order_by("name", "pk")
    )


def people_outstanding(*, learning_point, at: datetime | date, audience=None):
    """Those of ``people_to_reach`` who have not acknowledged the current version."""
    return people_to_reach(learning_point=learning_point, at=at, audience=audience).filter(
        has_acknowledged=False
    )


def audience_people(audience):
    """An audience's people, in post first (then leavers, latest first), by name."""
    return audience.people.order_by(F("left_on").desc(nulls_first=True), "name", "pk")
