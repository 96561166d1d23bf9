from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Action plans"

    def ready(self):
        # The tracker's milestones column (recommendations cannot import plans).
        from recommendations.tracker_csv import tracker_extension_register

        from .tracker import MILESTONES

        tracker_extension_register(MILESTONES)
