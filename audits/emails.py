"""Emails about audits. Each is a subject, text and HTML template plus one function here."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


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
