"""Reads scoped to the user: staff see only what binds their own organisation.

``*_visible_to`` decide what a user may see; the lists behind the pages are built on them and
on the model querysets (which say what open and overdue mean), so no rule is written twice.
Every function runs a fixed number of queries, whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

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

from deadlines import selectors as deadline_selectors
from deadlines.buckets import DUE_MONTH_DAYS
from deadlines.models import Deadline, DeadlineKind, Extension, ExtensionStatus
from organisations.models import Organisation

from .models import Complaint, Evidence, Recommendation

# --- What a user may see --------------------------------------------------------------------


def complaints_visible_to(user):
    complaints = Complaint.objects.select_related("ombudsman")
    if user.sees_every_organisation:
        return complaints
    # A subquery, not a join: no complaint comes twice, so no DISTINCT, which would make the
    # database work out every visible complaint's columns (and counts) before taking a page.
    bound = Complaint.organisations.through.objects.filter(organisation=user.organisation_id)
    return complaints.filter(pk__in=bound.values("complaint"))


def recommendations_visible_to(user):
    recommendations = Recommendation.objects.select_related(
        "complaint__ombudsman", "organisation", "deadline__owner"
    )
    if user.sees_every_organisation:
        return recommendations
    return recommendations.filter(organisation=user.organisation_id)


def deadlines_visible_to(user):
    return deadline_selectors.deadlines_visible_to(user).select_related(
        "complaint", "organisation", "owner"
    )


# --- Lookups that 404 across organisations --------------------------------------------------


def complaint_get_for(user, pk) -> Complaint:
    """The complaint, or 404 if it does not exist or the user may not see it."""
    return get_object_or_404(complaints_visible_to(user), pk=pk)


def recommendation_get_for(user, pk) -> Recommendation:
    return get_object_or_404(recommendations_visible_to(user), pk=pk)


def evidence_get_for(user, pk) -> Evidence:
    """Evidence on a recommendation the user may see, or 404."""
    return get_object_or_404(
        Evidence.objects.select_related("recommendation").filter(
            recommendation__in=recommendations_visible_to(user)
        ),
        pk=pk,
    )


def extension_get_for(user, pk) -> Extension:
    """An extension of a deadline the user may see, or 404."""
    return get_object_or_404(
        Extension.objects.select_related(
            "deadline__recommendation",
            "deadline__complaint",
            "deadline__organisation",
            "requested_by",
            "decided_by",
        ).filter(deadline__in=deadlines_visible_to(user)),
        pk=pk,
    )


# --- Extension requests waiting for a decision ----------------------------------------------


def extension_requests_for(user):
    """The extension requests ``user`` may decide and that wait for a decision, oldest first:
    none unless they may decide extensions; those of their own organisation's deadlines, or of
    every organisation's for staff who see them all."""
    if not user.has_perm("recommendations.decide_extension"):
        return Extension.objects.none()
    return (
        Extension.objects.filter(
            status=ExtensionStatus.REQUESTED,
            deadline__in=deadline_selectors.deadlines_visible_to(user),
        )
        .select_related("deadline__organisation", "requested_by")
        .order_by("requested_at", "pk")
    )


# --- The complaints list and a complaint's page ---------------------------------------------


class ComplaintState:
    OPEN = "open"
    CLOSED = "closed"
    CHOICES = [(OPEN, "Open"), (CLOSED, "Closed")]


def _count(deadlines) -> Coalesce:
    """Per-complaint count of ``deadlines`` (correlated on the outer complaint) as a subquery."""
    counted = (
        deadlines.filter(complaint=OuterRef("pk"))
        .order_by()
        .values("complaint")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _any(deadlines) -> Exists:
    """Whether the outer complaint has any of ``deadlines``: a filter that stops at the first,
    where filtering on a count would count every complaint's before a page is taken."""
    return Exists(deadlines.filter(complaint=OuterRef("pk")))


def complaints_listed(
    user,
    *,
    at: date,
    organisation: Organisation | None = None,
    status: str = "",
    overdue: bool = False,
    search: str = "",
):
    """The complaints ``user`` may see, with counts of the recommendations they can see.

    A complaint is *open* while any of its recommendations is open, or before any is
    recorded; *closed* once every recommendation is complied, not complied or withdrawn.
    Annotates ``recommendation_count``, ``open_count`` and ``overdue_count``; the filters do
    not use them, so the database counts for the page's rows only.
    """
    recommendation_deadlines = (
        deadline_selectors.deadlines_visible_to(user)
        .filter(kind=DeadlineKind.RECOMMENDATION)
        .order_by()
    )
    open_deadlines = recommendation_deadlines.open()
    overdue_deadlines = recommendation_deadlines.overdue(at=at)
    complaints = (
        complaints_visible_to(user)
        .annotate(
            recommendation_count=_count(recommendation_deadlines),
            open_count=_count(open_deadlines),
            overdue_count=_count(overdue_deadlines),
        )
        .prefetch_related("organisations")
    )
    if organisation is not None:
        complaints = complaints.filter(organisations=organisation)
    if status == ComplaintState.OPEN:
        complaints = complaints.filter(_any(open_deadlines) | ~_any(recommendation_deadlines))
    elif status == ComplaintState.CLOSED:
        complaints = complaints.filter(_any(recommendation_deadlines), ~_any(open_deadlines))
    if overdue:
        complaints = complaints.filter(_any(overdue_deadlines))
    if search := search.strip():
        complaints = complaints.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    return complaints


def organisations_for_filters(user):
    """The organisations the lists may be filtered by: every organisation bound by a
    complaint, for staff who see them all; otherwise the user's own, once a complaint binds it."""
    bound = Complaint.organisations.through.objects.all()
    if not user.sees_every_organisation:
        bound = bound.filter(organisation=user.organisation_id)
    return Organisation.objects.filter(pk__in=bound.values("organisation")).order_by("name")


def complaint_clocks(user, complaint):
    """The statutory clocks of ``complaint`` for the organisations the user may see."""
    return (
        deadlines_visible_to(user)
        .filter(complaint=complaint, kind__in=DeadlineKind.statutory())
        .order_by("organisation__name", "due_date", "pk")
    )


def complaint_recommendations(user, complaint):
    """The complaint's recommendations the user may see, with what their rows show (not the
    complaint again, nor each deadline's owner)."""
    return (
        recommendations_visible_to(user)
        .filter(complaint=complaint)
        .select_related(None)
        .select_related("organisation", "deadline")
        .order_by("organisation__name", "number")
    )


# --- The recommendations list ---------------------------------------------------------------


def recommendations_listed(
    user,
    *,
    at: date,
    status: str = "",
    overdue: bool = False,
    organisation: Organisation | None = None,
    mine: bool = False,
):
    """The recommendations ``user`` may see, soonest due first."""
    recommendations = recommendations_visible_to(user).order_by(
        "deadline__due_date", "complaint__reference", "organisation__name", "number"
    )
    if status:
        recommendations = recommendations.filter(status=status)
    if overdue:
        recommendations = recommendations.filter(deadline__in=Deadline.objects.overdue(at=at))
    if organisation is not None:
        recommendations = recommendations.filter(organisation=organisation)
    if mine:
        recommendations = recommendations.filter(deadline__owner=user)
    return recommendations


# --- Home: what needs the user's attention --------------------------------------------------


@dataclass
class Attention:
    """What needs the user's attention on ``at``: their most urgent deadlines, then their
    other work, each list bounded (``ATTENTION_ROWS``) with the whole counted."""

    at: date
    deadlines: list[Deadline] = field(default_factory=list)
    overdue_count: int = 0
    # Due in the next ``DUE_MONTH_DAYS`` (the due-soon ones included), not overdue.
    due_this_month_count: int = 0
    other_recommendations: list[Recommendation] = field(default_factory=list)
    other_count: int = 0
    # Extension requests waiting for the user's decision; None if they may not decide any.
    extension_requests: list[Extension] | None = None

    @property
    def deadlines_not_shown(self) -> int:
        return self.overdue_count + self.due_this_month_count - len(self.deadlines)

    @property
    def others_not_shown(self) -> int:
        return self.other_count - len(self.other_recommendations)


# A manager may own hundreds of deadlines: home shows the most urgent, and links the rest.
ATTENTION_ROWS = 25


def attention_for(user, *, at: date) -> Attention:
    """The user's open deadlines overdue or due within ``DUE_MONTH_DAYS``, soonest first, then
    their other open recommendations, at most ``ATTENTION_ROWS`` of each with how many there
    are in all, and the extension requests waiting for their decision
    (``extension_requests_for``).

    Each deadline comes with the record that holds it, for its link (``get_absolute_url``).
    """
    horizon = at + timedelta(days=DUE_MONTH_DAYS)
    deadlines = (
        deadlines_visible_to(user)
        .open()
        .filter(owner=user, due_date__lte=horizon)
        .order_by("due_date", "pk")
    )
    counts = deadlines.aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=at)),
        due=Count("pk", filter=Q(due_date__gte=at)),
    )
    later = (
        recommendations_visible_to(user)
        .filter(deadline__owner=user, deadline__in=Deadline.objects.open())
        .filter(deadline__due_date__gt=horizon)
        .order_by("deadline__due_date", "pk")
    )
    decides = user.has_perm("recommendations.decide_extension")
    return Attention(
        at=at,
        deadlines=deadline_selectors.deadlines_with_holders(deadlines[:ATTENTION_ROWS]),
        overdue_count=counts["overdue"],
        due_this_month_count=counts["due"],
        other_recommendations=list(later[:ATTENTION_ROWS]),
        other_count=later.count(),
        extension_requests=list(extension_requests_for(user)) if decides else None,
    )
