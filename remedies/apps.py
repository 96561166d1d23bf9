from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "remedies"
    verbose_name = "Remedy payments"
