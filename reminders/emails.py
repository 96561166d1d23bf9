"""Reminder emails: a subject, text and HTML template each, and one function per email."""

from django.conf import settings

from ombudsman_tracker.emails import send_templated
from recommendations.presentation import deadline_url


def reminder_send(reminder) -> None:
    send_templated(
        "reminders/emails/reminder",
        {
            "reminder": reminder,
            "deadline": reminder.deadline,
            "url": settings.SITE_URL + deadline_url(reminder.deadline),
        },
        to=[reminder.recipient.email],
    )


def digest_send(recipient, reminders) -> None:
    send_templated(
        "reminders/emails/digest",
        {
            "recipient": recipient,
            "items": [(r, settings.SITE_URL + deadline_url(r.deadline)) for r in reminders],
        },
        to=[recipient.email],
    )
