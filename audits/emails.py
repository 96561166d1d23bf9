"""Emails about audits. Each is a subject, text and HTML template plus one function here."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.roles import Role


def _send(template: str, context: dict, *, to: list[str], cc: list[str] = ()) -> None:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=to,
        cc=[address for address in cc if address],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def live_concern_send(concern) -> None:
    """Tell the team manager at once. The concern itself stays in the app: the email carries
    only the pseudonymised case reference and a link, so no case detail travels by email."""
    _send(
        "audits/emails/live_concern",
        {
            "concern": concern,
            "case": concern.sample_case.case,
            "url": settings.SITE_URL + reverse("audits:concern_detail", args=[concern.pk]),
            "council_name": settings.COUNCIL_NAME,
        },
        to=[concern.team_manager_email],
        cc=[concern.raised_by.email],
    )


def full_audit_created_send(programme) -> None:
    """Tell the organisation's managers that the threshold triggered a full audit."""
    organisation = programme.recommendation.organisation
    managers = (
        get_user_model()
        .objects.filter(groups__name=Role.MANAGER, organisation=organisation, is_active=True)
        .exclude(email="")
    )
    recipients = sorted(({manager.email for manager in managers} | {programme.owner.email}) - {""})
    if not recipients:
        return
    _send(
        "audits/emails/full_audit",
        {
            "programme": programme,
            "sample_audit": programme.triggered_by,
            "url": settings.SITE_URL + programme.get_absolute_url(),
            "council_name": settings.COUNCIL_NAME,
        },
        to=recipients,
    )
