from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "committee reports and distribution"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
