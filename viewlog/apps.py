from django.apps import AppConfig


class ViewlogConfig(AppConfig):
    name = "viewlog"
    verbose_name = "view log"
