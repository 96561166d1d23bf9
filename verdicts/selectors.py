"""Role-scoped reads of the evidence sent and the Ombudsman's verdicts: every one goes through
``recommendations_visible_to``, so another organisation's are a 404."""

from django.shortcuts import get_object_or_404

from recommendations.selectors import recommendations_visible_to

from .models import AwaitedReply, ReplyStatus, Verdict

READ = "verdicts.view_verdict"
RECORD = "verdicts.add_verdict"


def verdicts_visible_to(user):
    return Verdict.objects.select_related(
        "awaited__recommendation__organisation", "awaited__recommendation__complaint"
    ).filter(awaited__recommendation__in=recommendations_visible_to(user))


def verdict_get_for(user, pk) -> Verdict:
    """A verdict on a recommendation the user may see, or 404."""
    return get_object_or_404(verdicts_visible_to(user), pk=pk)


def awaited_reply(recommendation) -> AwaitedReply | None:
    """The evidence sent for ``recommendation`` awaiting the Ombudsman's reply, if any, with
    its reply deadline."""
    return (
        AwaitedReply.objects.select_related("deadline")
        .filter(recommendation=recommendation, status=ReplyStatus.AWAITING)
        .first()
    )


def recommendation_replies(recommendation):
    """Everything sent for ``recommendation`` and the verdicts on it, latest first."""
    return (
        AwaitedReply.objects.filter(recommendation=recommendation)
        .select_related("verdict", "deadline")
        .order_by("-sent_on", "-pk")
    )
