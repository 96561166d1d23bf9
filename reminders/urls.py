from django.urls import path, register_converter

from . import views


class CalendarTokenConverter:
    """The secret in a feed address, as ``secrets.token_urlsafe`` makes it: any other text
    (a NUL byte, say, which PostgreSQL refuses in a query) is not a feed address at all."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CalendarTokenConverter, "calendar_token")

app_name = "reminders"

urlpatterns = [
    path("settings/reminders/", views.reminder_settings, name="settings"),
    path(
        "settings/reminders/calendar-address/",
        views.calendar_token_reset,
        name="calendar_token_reset",
    ),
    path("calendar/<calendar_token:token>/mine.ics", views.calendar_mine, name="calendar_mine"),
    path(
        "calendar/<calendar_token:token>/organisation.ics",
        views.calendar_organisation,
        name="calendar_organisation",
    ),
]
