"""Thin Celery tasks for reminders: the dispatcher, one sender per reminder, the digests.

Tasks take ids, re-fetch and call a service; the services make each send happen once however
often a task runs (see ``reminders.services``). Queueing a send is a best effort
(``outbox.services.task_publish_each``): a reminder the broker did not take stays pending in the
database, and the next dispatch queues it again.
"""

from smtplib import SMTPException

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from health.heartbeats import heartbeat_record
from outbox.services import task_publish_each

from . import services

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(name="reminders.dispatch", soft_time_limit=240, time_limit=300)
def dispatch() -> int:
    """Periodic: record what is due (``<=`` today, so a missed run catches up), queue sends."""
    with transaction.atomic():
        pending = services.reminders_dispatch(now=timezone.now())
    # After the commit, so the sender finds the rows.
    task_publish_each(send_reminder, pending)
    heartbeat_record("reminders.dispatch")
    return len(pending)


@shared_task(
    name="reminders.send",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=30,
    time_limit=60,
)
def send_reminder(reminder_id: int) -> bool:
    return services.reminder_send(reminder_id=reminder_id, now=timezone.now())


@shared_task(name="reminders.send_digests", soft_time_limit=240, time_limit=300)
def send_digests() -> int:
    recipients = services.digest_recipients()
    task_publish_each(send_digest, recipients)  # whoever is missed is in tomorrow's digest
    return len(recipients)


@shared_task(
    name="reminders.send_digest",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=60,
    max_retries=8,
    soft_time_limit=60,
    time_limit=120,
)
def send_digest(recipient_id: int) -> int:
    return services.digest_send(recipient_id=recipient_id, now=timezone.now())
