"""Reads scoped to the user: staff see their own organisation's submissions.

Drafts are need-to-know: only those who may prepare submissions see them (they may hold
evidence not yet checked for redaction); everyone who may read submissions sees sent ones.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from recommendations.models import Evidence, Recommendation, RecommendationStatus

from .models import Submission, SubmissionStatus


def submissions_visible_to(user):
    submissions = Submission.objects.select_related(
        "complaint__ombudsman", "organisation", "sent_by", "redaction_confirmed_by"
    )
    if not user.has_perm("submissions.prepare_submission"):
        submissions = submissions.filter(status=SubmissionStatus.SENT)
    if user.sees_every_organisation:
        return submissions
    return submissions.filter(organisation=user.organisation_id)


def submission_get_for(user, pk) -> Submission:
    """The submission, or 404 if it does not exist or the user may not see it."""
    return get_object_or_404(submissions_visible_to(user), pk=pk)


def complaint_submissions(user, complaint):
    """The complaint's submissions the user may see, drafts first, then the latest sent."""
    return (
        submissions_visible_to(user)
        .filter(complaint=complaint)
        .order_by("status", "-sent_on", "-created_at", "-pk")
    )


def reporting_organisation(user, complaint):
    """The organisation ``user`` reports for on ``complaint``: their own, if it binds it."""
    if user.organisation_id is None:
        return None
    return complaint.organisations.filter(pk=user.organisation_id).first()


def recommendations_to_report(*, complaint, organisation) -> list[Recommendation]:
    """The organisation's recommendations on the complaint that may be reported (not
    withdrawn), with their deadlines and evidence, in two queries."""
    return list(
        Recommendation.objects.filter(complaint=complaint, organisation=organisation)
        .exclude(status=RecommendationStatus.WITHDRAWN)
        .select_related("deadline")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("added_at", "pk"))
        )
        .order_by("number")
    )
