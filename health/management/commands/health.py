"""``manage.py health [live|ready|worker|scheduler]``: Docker's health checks (exit 0 or 1)."""

import socket

from django.core.management.base import BaseCommand, CommandError

from health.checks import readiness, scheduler_readiness, worker_readiness

PARTS = {
    # Django loads with these settings: nothing more to check without a web server to ask.
    "live": lambda: {"live": True},
    "ready": readiness,
    # The worker of this container: Docker runs the check in it, so the host is the worker's.
    "worker": lambda: worker_readiness(hostname=socket.gethostname()),
    "scheduler": scheduler_readiness,
}


class Command(BaseCommand):
    help = (
        "Exits 0 if this part of the service is healthy, 1 if not, printing each check: "
        "live (Django loads), ready (what /health/ready checks), worker (the heartbeat of "
        "this host's Celery worker), scheduler (Celery beat's heartbeat)."
    )

    def add_arguments(self, parser):
        parser.add_argument("part", nargs="?", choices=PARTS, default="ready")

    def handle(self, *, part, **options):
        checks = PARTS[part]()
        for name, passed in checks.items():
            self.stdout.write(f"{name}: {'ok' if passed else 'failing'}")
        failing = [name for name, passed in checks.items() if not passed]
        if failing:
            raise CommandError(f"Not healthy: {', '.join(failing)} failing")
