"""Thin Celery tasks for reminders: the dispatcher, one sender per reminder or manager's
digest, the daily digests.

Tasks take ids, re-fetch and call a service; the services make each send happen once however
often a task runs (see ``reminders.services``). Queueing a send is a best effort
(``outbox.services.task_publish``): a reminder or digest the broker did not take stays pending in
the database, and the next dispatch queues it again.
"""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from health.heartbeats import heartbeat_record
from outbox.services import task_publish, task_publish_each

from . import selectors, services

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(name="reminders.dispatch", soft_time_limit=240, time_limit=300)
def dispatch() -> int:
    """Periodic: record what is due (``<=`` today, so a missed run catches up), queue sends.
    Returns how many sends it queued."""
    queued, _ = dispatch_and_queue()
    heartbeat_record("reminders.dispatch")
    return queued


def dispatch_and_queue() -> tuple[int, int]:
    """Record what is due, then queue a send for each reminder and manager's digest waiting,
    those of earlier runs included (their messages may have been lost with the broker), read
    in chunks. Returns (queued, waiting): the broker refused the rest, if any; they are
    queued again by the next dispatch."""
    services.reminders_dispatch(now=timezone.now())
    # After its commit, so the senders find the rows.
    waiting = selectors.sends_waiting()
    queued = 0
    for task, ids in [
        (send_reminder, selectors.reminders_to_send()),
        (send_manager_digest, selectors.manager_digests_to_send()),
    ]:
        for object_id in ids:
            if not task_publish(task, object_id):
                # Each of the rest would wait as long for the broker.
                return queued, waiting
            queued += 1
    return queued, waiting


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


@shared_task(
    name="reminders.send_manager_digest",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=120,
)
def send_manager_digest(digest_id: int) -> int:
    return services.manager_digest_send(digest_id=digest_id, now=timezone.now())


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
