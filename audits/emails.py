"""Emails about audits. Each is a subject, text and HTML template plus one function here."""

from django.conf import settings
from django.urls import reverse

from ombudsman_tracker.emails import send_templated

from .selectors import managers


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
    """Tell the organisation's managers that the threshold triggered a full audit."""
    organisation = programme.recommendation.organisation
    emails = managers().filter(organisation=organisation).values_list("email", flat=True)
    recipients = sorted((set(emails) | {programme.owner.email}) - {""})
    if not recipients:
        return
    send_templated(
        "audits/emails/full_audit",
        {
            "programme": programme,
            "sample_audit": programme.triggered_by,
            "url": settings.SITE_URL + programme.get_absolute_url(),
        },
        to=recipients,
    )
