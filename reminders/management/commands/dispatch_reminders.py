"""Run one reminder dispatch by hand; --dry-run lists what would go out."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from deadlines.models import Deadline
from health.heartbeats import heartbeat_record
from reminders import services, tasks


class Command(BaseCommand):
    help = "Record due reminders and queue them for sending (what the scheduler does hourly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; change nothing."
        )
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            help="With --dry-run: list what would be recorded on this day (YYYY-MM-DD).",
        )

    def handle(self, *args, dry_run=False, on=None, **options):
        if dry_run:
            self._dry_run(today=on or timezone.localdate())
            return
        if on:
            raise CommandError("--on lists what would be recorded: use it with --dry-run.")
        queued, waiting = tasks.dispatch_and_queue()
        heartbeat_record("reminders.dispatch")
        self.stdout.write(f"{queued} of {waiting} reminder(s) queued for sending.")
        if queued < waiting:
            self.stderr.write("The broker did not take the rest: the next dispatch queues them.")

    def _dry_run(self, *, today):
        count = 0
        for chunk in services.chunks(services.reminders_unrecorded(today=today), 500):
            titles = dict(
                Deadline.objects.filter(pk__in={due.deadline_id for due in chunk}).values_list(
                    "pk", "title"
                )
            )
            people = User.objects.in_bulk({due.recipient_id for due in chunk} - {None})
            for due in chunk:
                count += 1
                if due.recipient_id is services.MANAGERS:
                    to = "the managers responsible, in their digests"
                else:
                    person = people[due.recipient_id]
                    to = f"{person} <{person.email}>"
                escalation = " (escalation)" if due.is_escalation else ""
                self.stdout.write(
                    f"{titles[due.deadline_id]} [{due.stage.key}] to {to}{escalation}"
                )
        self.stdout.write(f"{count} reminder(s) would be recorded; nothing was changed.")
