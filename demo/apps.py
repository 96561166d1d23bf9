from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (``manage.py seed_demo``): it sits above every domain app and uses their
    services, so that no domain app has to import another for the demo's sake."""

    name = "demo"
