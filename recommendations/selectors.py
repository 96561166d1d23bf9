"""Reads scoped to the user: staff see only what binds their own organisation."""

from django.shortcuts import get_object_or_404

from deadlines.models import Deadline

from .models import Complaint, Recommendation


def complaints_visible_to(user):
    complaints = Complaint.objects.select_related("ombudsman")
    if user.sees_every_organisation:
        return complaints
    return complaints.filter(organisations=user.organisation_id).distinct()


def recommendations_visible_to(user):
    recommendations = Recommendation.objects.select_related(
        "complaint__ombudsman", "organisation", "deadline__owner"
    )
    if user.sees_every_organisation:
        return recommendations
    return recommendations.filter(organisation=user.organisation_id)


def deadlines_visible_to(user):
    deadlines = Deadline.objects.select_related("complaint", "organisation", "owner")
    if user.sees_every_organisation:
        return deadlines
    return deadlines.filter(organisation=user.organisation_id)


def complaint_get_for(user, pk) -> Complaint:
    """The complaint, or 404 if it does not exist or the user may not see it."""
    return get_object_or_404(complaints_visible_to(user), pk=pk)


def recommendation_get_for(user, pk) -> Recommendation:
    return get_object_or_404(recommendations_visible_to(user), pk=pk)
