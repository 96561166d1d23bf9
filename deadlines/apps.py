from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    """Deadlines and statutory clocks: the dates every other app's work runs to."""

    name = "deadlines"
