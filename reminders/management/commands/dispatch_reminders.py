"""Run one reminder dispatch by hand; --dry-run lists what would go out."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from health.heartbeats import heartbeat_record
from outbox.services import task_publish_each
from reminders import services, tasks
from reminders.models import Reminder


class Command(BaseCommand):
    help = "Record due reminders and queue them for sending (what the scheduler does hourly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        if dry_run:
            today = timezone.localdate(now)
            recorded = set(
                Reminder.objects.values_list("deadline_id", "for_due_date", "stage", "recipient_id")
            )
            count = 0
            for deadline, stage, recipients in services.reminders_due(today=today):
                for recipient, is_escalation in recipients:
                    key = (deadline.pk, deadline.due_date, stage.key, recipient.pk)
                    if key in recorded:
                        continue
                    count += 1
                    escalation = " (escalation)" if is_escalation else ""
                    self.stdout.write(
                        f"{deadline.title} [{stage.key}] to {recipient} "
                        f"<{recipient.email}>{escalation}"
                    )
            self.stdout.write(f"{count} reminder(s) would be recorded; nothing was changed.")
            return
        with transaction.atomic():
            pending = services.reminders_dispatch(now=now)
        # After the commit, so a worker finds the rows; a best effort (the next dispatch
        # queues again whatever is still pending).
        queued = task_publish_each(tasks.send_reminder, pending)
        heartbeat_record("reminders.dispatch")
        self.stdout.write(f"{queued} of {len(pending)} reminder(s) queued for sending.")
        if queued < len(pending):
            self.stderr.write("The broker did not take the rest: the next dispatch queues them.")
