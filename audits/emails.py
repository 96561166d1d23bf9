"""Emails about audits. Each is a subject, text and HTML template plus one function here.

Both are sent by the outbox (``outbox.services``), as the jobs named here (``audits.jobs``):
recorded with the change that calls for them, retried while the mail server refuses them.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from accounts.selectors import managers_of
from ombudsman_tracker.emails import send_templated
from ombudsman_tracker.formats import moment_text
from outbox.services import job_for

from .presentation import decision_explanation
from .selectors import programme_threshold

# Names of the outbox jobs that send these emails (stored in its rows: never rename them).
LIVE_CONCERN_EMAIL = "audits.live_concern_email"
FULL_AUDIT_NOTICE = "audits.full_audit_notice"


def live_concern_send(concern) -> None:
    """Tell the team manager at once. The concern itself stays in the app: the email carries
    only the pseudonymised case reference and a link, so no case detail travels by email."""
    send_templated(
        "audits/emails/live_concern",
        {
            "concern": concern,
            "case": concern.sample_case.case,
            "url": settings.SITE_URL + reverse("audits:concern_detail", args=[concern.pk]),
        },
        to=[concern.team_manager_email],
        cc=[concern.raised_by.email],
    )


def full_audit_created_send(programme) -> None:
    """Tell the organisation's managers that the threshold triggered a full audit, in the
    decision's words on the sample audit's page."""
    organisation = programme.recommendation.organisation
    emails = managers_of(organisation).values_list("email", flat=True)
    recipients = sorted((set(emails) | {programme.owner.email}) - {""})
    if not recipients:
        return
    send_templated(
        "audits/emails/full_audit",
        {
            "programme": programme,
            "sample_audit": programme.triggered_by,
            "decision": decision_explanation(programme_threshold(programme.triggered_by)),
            "url": settings.SITE_URL + programme.get_absolute_url(),
        },
        to=recipients,
    )


# An email still waiting this long after the concern was raised is late: the page says so.
LATE = timedelta(minutes=5)


@dataclass(frozen=True)
class Delivery:
    """What became of an email, in words for its page, and a warning when it is late or will
    not be sent (the concern must then reach the team manager another way)."""

    text: str
    warning: str = ""


def live_concern_delivery(concern, *, at) -> Delivery:
    """Whether the team manager was emailed about ``concern``, from its ``emailed_at`` and its
    outbox job (none for concerns raised before jobs were recorded, or once purged)."""
    to = concern.team_manager_email
    if concern.emailed_at:
        return Delivery(f"Emailed to {to} on {moment_text(concern.emailed_at)}")
    job = job_for(kind=LIVE_CONCERN_EMAIL, object_id=concern.pk)
    if job is None:
        return Delivery(to)
    if job.given_up_at:
        return Delivery(
            f"Not emailed to {to}: the email could not be sent",
            warning=f"The email to the team manager could not be sent after {job.attempts} "
            "attempts. Contact them another way now: a child may be at risk.",
        )
    if job.attempts:
        return Delivery(
            f"Not emailed to {to} yet: it will be tried again at {moment_text(job.due_at)}",
            warning="The email to the team manager could not be sent yet and will be tried "
            "again. If the concern is urgent, contact them another way.",
        )
    if at - job.created_at < LATE:
        return Delivery(f"Waiting to be emailed to {to}: it should go within a minute")
    return Delivery(
        f"Not emailed to {to} yet: waiting since {moment_text(job.created_at)}",
        warning="The email to the team manager has not been sent yet. If the concern is "
        "urgent, contact them another way.",
    )
