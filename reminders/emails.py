"""Reminder emails: a subject, text and HTML template each, and one function per email."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from recommendations.presentation import deadline_url


def _send(template: str, context: dict, *, to: str) -> None:
    context = {"council_name": settings.COUNCIL_NAME, **context}
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"{template}_subject.txt", context).split()),
        body=render_to_string(f"{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def reminder_send(reminder) -> None:
    _send(
        "reminders/emails/reminder",
        {
            "reminder": reminder,
            "deadline": reminder.deadline,
            "url": settings.SITE_URL + deadline_url(reminder.deadline),
        },
        to=reminder.recipient.email,
    )


def digest_send(recipient, reminders) -> None:
    _send(
        "reminders/emails/digest",
        {
            "recipient": recipient,
            "items": [(r, settings.SITE_URL + deadline_url(r.deadline)) for r in reminders],
        },
        to=recipient.email,
    )
