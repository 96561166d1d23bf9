from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment check)
