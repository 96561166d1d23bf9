from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class OutboxConfig(AppConfig):
    name = "outbox"

    def ready(self):
        # Each app declares its kinds of background work in a ``jobs.py`` (``outbox.kinds``).
        autodiscover_modules("jobs")
