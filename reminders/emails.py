"""Reminder emails: a subject, text and HTML template each, and one function per email."""

from django.conf import settings

from ombudsman_tracker.emails import send_templated


def reminder_send(reminder) -> None:
    send_templated(
        "reminders/emails/reminder",
        {
            "reminder": reminder,
            "deadline": reminder.deadline,
            "url": settings.SITE_URL + reminder.deadline.get_absolute_url(),
        },
        to=[reminder.recipient.email],
    )


def digest_send(recipient, reminders) -> None:
    send_templated(
        "reminders/emails/digest",
        {
            "recipient": recipient,
            "items": [(r, settings.SITE_URL + r.deadline.get_absolute_url()) for r in reminders],
        },
        to=[recipient.email],
    )


def manager_digest_send(recipient, reminders) -> None:
    send_templated(
        "reminders/emails/manager_digest",
        {
            "recipient": recipient,
            "items": [(r, settings.SITE_URL + r.deadline.get_absolute_url()) for r in reminders],
        },
        to=[recipient.email],
    )
