from django.db import models


class Heartbeat(models.Model):
    """When a long-running part of the service last said it was alive.

    One row per name: ``scheduler`` (Celery beat), ``worker:<host>`` (each worker),
    ``outbox.sweep`` and ``reminders.dispatch`` (the periodic dispatchers' last runs).
    """

    name = models.CharField(max_length=200, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
